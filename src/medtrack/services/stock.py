"""Use cases of the stock: tablets or liquid added and counted, what each dose used, how long
it lasts, and counts that differ from what was expected (a controlled drug: loss shows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from medtrack.core.decide import NightDecision
from medtrack.core.formulation import Formulation
from medtrack.core.model import Profile, Record, StockEntry
from medtrack.core.rules import regimen_on
from medtrack.core.stock import (
    Key,
    StockReport,
    amount_text,
    expected_words,
    first_night,
    judged_since,
    levels,
    needed_but_missing,
    nights_left,
    parse_quantity,
)
from medtrack.errors import BadInput
from medtrack.i18n import _
from medtrack.services.common import require_profile
from medtrack.services.nights import decider, tonight
from medtrack.services.text import optional_text
from medtrack.storage.database import Database
from medtrack.storage.repository import Repository
from medtrack.storage.work import Work

__all__ = ["Counted", "StockReport", "add_stock", "amount_text", "count_stock", "show_stock", "stock_report"]


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
    note = optional_text(note, _("the note"))
    with db.unit_of_work(Work.WRITE_PATIENT) as repo:
        profile = require_profile(repo)
        key, amount = parse_quantity(quantity, _form_now(repo, profile, now))
        if amount == 0:
            raise BadInput(_("nothing to add: give how many, e.g. 30x1mg"))
        entry = _entry("add", key, amount, now, profile, note)
        return repo.add_stock(entry, recorded_at=now)


@dataclass(frozen=True)
class Counted:
    """A count as every later read judges it, and the entry its expectation runs from."""

    entry: StockEntry
    since: StockEntry | None

    @property
    def expected_words(self) -> str:
        """'17 × 1 mg tablets expected since the delivery on 2026-11-01'."""
        return expected_words(self.entry, self.since)


def count_stock(db: Database, now: dt.datetime, quantity: str, note: str | None = None) -> Counted:
    """A count by the patient or a carer, with what was expected since the delivery and whether
    it is off by more than half a tablet (or 0.5 ml) as every later read works them out
    (core.stock.judged_since); the row keeps them too, for whoever reads the table itself, but
    nothing reads them back."""
    note = optional_text(note, _("the note"))
    with db.unit_of_work(Work.WRITE_PATIENT) as repo:
        profile = require_profile(repo)
        key, amount = parse_quantity(quantity, _form_now(repo, profile, now))
        entries = [*repo.stock_entries(), _entry("count", key, amount, now, profile, note)]
        counted = judged_since(entries, _doses_since_stock(repo, entries), repo.regimens())[-1][0]
        saved = repo.add_stock(counted, recorded_at=now)
        entries = repo.stock_entries()
        judged = judged_since(entries, _doses_since_stock(repo, entries), repo.regimens())
        return next(Counted(e, since) for e, since in judged if e.id == saved.id)


def _entry(kind: str, key: Key, amount: int, now: dt.datetime, profile: Profile,
           note: str | None) -> StockEntry:
    # Whole seconds, as it is stored: the count is judged where it will be read back.
    return StockEntry(id=0, kind=kind, at=now.astimezone(profile.tz).replace(microsecond=0),
                      zone=profile.zone, amount=amount,
                      strength_ug=key[1] if key[0] == "tablet" else None,
                      ug_per_ml=key[1] if key[0] == "liquid" else None, note=note)


def stock_report(repo: Repository, profile: Profile, now: dt.datetime,
                 tonight_decided: NightDecision) -> StockReport | None:
    """The stock for status, Tonight, `medtrack stock`, the profile screen and the exports
    (None when nothing was ever added or counted): the levels now, and the nights it lasts from
    the next dose due after `tonight_decided` (core.stock.first_night)."""
    entries = repo.stock_entries()
    if not entries:
        return None
    regimens = repo.regimens()
    doses = _doses_since_stock(repo, entries)
    judged = judged_since(entries, doses, regimens)
    current = levels(entries, doses, regimens, now)
    first = first_night(tonight_decided)
    nights, to_end = nights_left(current, regimens, first)
    return StockReport(tuple(current.values()), nights, to_end, tuple(e for e, _since in judged),
                       needed_but_missing(current, regimens, first),
                       since=tuple(since for _entry, since in judged), first=first)


def _tonight_decided(repo: Repository, now: dt.datetime) -> NightDecision:
    """Tonight as `status` decides it (core.decide): its state rests on tonight's own records."""
    decide = decider(repo, now)
    night = decide.tonight
    return decide.decide(night, repo.records_for_nights(night, night))


def show_stock(db: Database, now: dt.datetime) -> StockReport | None:
    with db.unit_of_work(Work.READ) as repo:
        profile = require_profile(repo)
        return stock_report(repo, profile, now, _tonight_decided(repo, now))
