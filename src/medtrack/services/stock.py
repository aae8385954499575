"""Use cases of the stock: tablets or liquid added and counted, what each dose used, how long
it lasts, and counts that differ from what was expected (a controlled drug: loss shows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from medtrack.core.formulation import Formulation
from medtrack.core.model import Profile, Record, StockEntry
from medtrack.core.rules import regimen_on
from medtrack.core.stock import (
    Key,
    StockReport,
    amount_text,
    judged_entries,
    levels,
    needed_but_missing,
    nights_left,
    parse_quantity,
)
from medtrack.errors import BadInput
from medtrack.services.common import require_profile
from medtrack.services.nights import DAY, tonight
from medtrack.services.text import optional_text
from medtrack.storage.repository import Database, Repository

__all__ = ["StockReport", "add_stock", "amount_text", "count_stock", "show_stock", "stock_report"]


def _doses_since_stock(repo: Repository, entries: Sequence[StockEntry]) -> list[Record]:
    """The doses that used stock: those from the first entry on (earlier ones touch no level)."""
    return repo.counted_doses(since=min(e.at for e in entries)) if entries else []


def _form_now(repo: Repository, profile: Profile, now: dt.datetime) -> Formulation:
    """The formulation in force tonight, else the newest recorded (a liquid prescribed to
    start later can already be stocked)."""
    regimen = regimen_on(repo.regimens(), tonight(profile, now))
    if regimen is not None and regimen.formulation is not None and not regimen.formulation.is_plain:
        return regimen.formulation
    recorded = [r.formulation for r in repo.regimens() if r.formulation and not r.formulation.is_plain]
    return recorded[-1] if recorded else Formulation()


def add_stock(db: Database, now: dt.datetime, quantity: str, note: str | None = None) -> StockEntry:
    """Tablets or liquid received (e.g. from the pharmacy)."""
    note = optional_text(note, "the note")
    with db.unit_of_work() as repo:
        profile = require_profile(repo)
        key, amount = parse_quantity(quantity, _form_now(repo, profile, now))
        if amount == 0:
            raise BadInput("nothing to add: give how many, e.g. 30x1mg")
        entry = _entry("add", key, amount, now, profile, note)
        return repo.add_stock(entry, recorded_at=now)


def count_stock(db: Database, now: dt.datetime, quantity: str, note: str | None = None) -> StockEntry:
    """A count by the patient or a carer, with what was expected and whether it is off by more
    than half a tablet (or 0.5 ml) as every later read works them out (core.stock.judged_entries);
    the row keeps them too, for whoever reads the table itself, but nothing reads them back."""
    note = optional_text(note, "the note")
    with db.unit_of_work() as repo:
        profile = require_profile(repo)
        key, amount = parse_quantity(quantity, _form_now(repo, profile, now))
        entries = [*repo.stock_entries(), _entry("count", key, amount, now, profile, note)]
        counted = judged_entries(entries, _doses_since_stock(repo, entries), repo.regimens())[-1]
        saved = repo.add_stock(counted, recorded_at=now)
        return next(e for e in repo.stock_entries() if e.id == saved.id)


def _entry(kind: str, key: Key, amount: int, now: dt.datetime, profile: Profile,
           note: str | None) -> StockEntry:
    # Whole seconds, as it is stored: the count is judged where it will be read back.
    return StockEntry(id=0, kind=kind, at=now.astimezone(profile.tz).replace(microsecond=0),
                      zone=profile.zone, amount=amount,
                      strength_ug=key[1] if key[0] == "tablet" else None,
                      ug_per_ml=key[1] if key[0] == "liquid" else None, note=note)


def stock_report(repo: Repository, profile: Profile, now: dt.datetime,
                 tonight_taken: bool) -> StockReport | None:
    """The stock for status and the screen (None when nothing was ever added or counted)."""
    entries = repo.stock_entries()
    if not entries:
        return None
    regimens = repo.regimens()
    current = levels(entries, _doses_since_stock(repo, entries), regimens, now)
    first = tonight(profile, now) + (DAY if tonight_taken else dt.timedelta(0))
    nights, to_end = nights_left(current, regimens, first)
    return StockReport(tuple(current.values()), nights, to_end, tuple(entries),
                       needed_but_missing(current, regimens, first))


def show_stock(db: Database, now: dt.datetime) -> StockReport | None:
    with db.unit_of_work(write=False) as repo:
        profile = require_profile(repo)
        night = tonight(profile, now)
        taken = any(r.counted for r in repo.records_for_nights(night, night))
        return stock_report(repo, profile, now, taken)
