"""Use cases of the night: log a dose, skip a night, void a record, read the history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from medtrack.core.formulation import cannot_make
from medtrack.core.model import DoseEntry, Profile, Record, RecordKind
from medtrack.core.night_words import after_record
from medtrack.core.nights import MIN_DOSE_GAP, hours_apart, night_of
from medtrack.core.parse import parse_date, parse_when
from medtrack.core.rule_words import refusal
from medtrack.core.rules import ceiling_ug, ceiling_words, check_dose
from medtrack.core.units import format_mg, parse_dose
from medtrack.errors import BadInput, Refused
from medtrack.i18n import _, medium_date, short_time
from medtrack.services.common import monograph, parse_period, require_profile
from medtrack.services.nights import decider, night_facts, tonight
from medtrack.services.text import optional_text, require_text
from medtrack.storage.database import Database
from medtrack.storage.repository import Repository
from medtrack.storage.work import Work


@dataclass(frozen=True)
class Logged:
    """A dose just recorded, and what to do now (about tonight only when it is tonight's)."""

    record: Record
    advice: str


@dataclass(frozen=True)
class DoseRequest:
    """`log` as typed: the dose (None: the night's scheduled dose), when it is taken (None:
    now), a note, and how it is entered (an already-taken dose needs the note)."""

    dose: str | None = None
    at: str | None = None
    note: str | None = None
    entry: DoseEntry = DoseEntry.TO_TAKE


def log_dose(db: Database, now: dt.datetime, request: DoseRequest) -> Record:
    """Record a dose (see `record_dose`): the record alone, without the advice."""
    return record_dose(db, now, request).record


def record_dose(db: Database, now: dt.datetime, request: DoseRequest) -> Logged:
    """Record a dose after every rule allows it, in one write transaction, with the advice for
    the night it belongs to.

    A dose entered as already taken (`DoseEntry.ALREADY_TAKEN`) *was* taken although a rule
    refuses it: it needs a note, is kept with the rule it broke, and is shown everywhere as such.
    """
    dose_ug = parse_dose(request.dose) if request.dose is not None else None
    note = optional_text(request.note, _("the note"))
    if request.entry is DoseEntry.ALREADY_TAKEN and note is None:
        raise BadInput(_("a dose recorded as already taken needs a note saying what happened"),
                       hint=_("add --note TEXT"))
    with db.unit_of_work(Work.WRITE_PATIENT) as repo:  # locked before the check: it and the insert are one
        profile = require_profile(repo)
        when = parse_when(request.at, profile.tz, now) if request.at is not None else now
        record = add_dose(repo, profile, now, when, dose_ug=dose_ug, note=note, entry=request.entry)
        decision = decider(repo, now).decide(record.night, [record])
        return Logged(record, after_record(record, decision))


def add_dose(repo: Repository, profile: Profile, now: dt.datetime, when: dt.datetime, *,
             dose_ug: int | None, note: str | None, entry: DoseEntry,
             night: dt.date | None = None) -> Record:
    """Check a dose against every rule and append it (inside the caller's write transaction)."""
    already_taken = entry is DoseEntry.ALREADY_TAKEN  # kept against a rule, not refused by it
    when = when.astimezone(profile.tz)
    night = night or night_of(when, profile.tz)
    facts = night_facts(repo, profile, night, around=when)
    history = repo.profile_history()
    profile = history.for_night(night) if history is not None else profile  # the night's own
    scheduled = facts.scheduled
    if dose_ug is None:
        if scheduled is None:
            if already_taken:
                raise BadInput(_("nothing is scheduled that night: give the dose that was taken"),
                               hint="medtrack log DOSE --already-taken --note TEXT")
            raise refusal("nothing-scheduled", _("no dose is scheduled for the night of {night}.").format(
                night=medium_date(night)))
        limit = ceiling_ug(monograph(), profile, night)
        if scheduled > limit and not already_taken:  # never record more than may be taken
            raise refusal("monograph-ceiling", _(
                "the prescribed {dose} is above {ceiling}. Take at most {limit} and record the dose "
                "you take; ask your prescriber to review the prescription.").format(
                    dose=format_mg(scheduled), ceiling=ceiling_words(monograph(), profile, night),
                    limit=format_mg(limit)), hint=f"medtrack log {format_mg(limit)}")
        dose_ug = scheduled
    ack_ids = facts.regimen.acknowledged_ids if facts.regimen else ()
    verdict = check_dose(monograph(), profile, facts, when, dose_ug, ack_ids)
    if not verdict.allowed and not already_taken:
        raise refusal(verdict.rule, verdict.message)
    made_with = facts.regimen.formulation if facts.regimen else None
    if made_with is not None and not already_taken and not made_with.can_make(dose_ug):
        raise cannot_make(made_with, dose_ug)  # a dose the tablets or liquid cannot measure
    record = Record(
        id=0, kind=RecordKind.DOSE, night=night, at=when, zone=profile.zone, dose_ug=dose_ug,
        scheduled_ug=scheduled, already_taken=already_taken, note=note,
        acknowledged=facts.regimen.acknowledged if facts.regimen else None,
        rule=None if verdict.allowed else verdict.rule,
    )
    return repo.add_record(record, recorded_at=now)


def skip_night(db: Database, now: dt.datetime, night_text: str | None = None,
               note: str | None = None) -> Record:
    """Record that a night's dose is deliberately not taken (default: tonight)."""
    note = optional_text(note, _("the note"))
    with db.unit_of_work(Work.WRITE_PATIENT) as repo:
        profile = require_profile(repo)
        current = tonight(profile, now)
        night = parse_date(night_text, what=_("night")) if night_text is not None else current
        if night > current:
            raise BadInput(_("night {night} is in the future: a skip can be recorded for tonight "
                             "({tonight}) or an earlier night").format(night=medium_date(night),
                                                                      tonight=medium_date(current)))
        return add_skip(repo, profile, now, night, now, note)


def add_skip(repo: Repository, profile: Profile, now: dt.datetime, night: dt.date,
             at: dt.datetime, note: str | None) -> Record:
    """Append a skip for a night that has no dose or skip yet (inside the caller's transaction)."""
    facts = night_facts(repo, profile, night)
    if facts.skips:
        raise Refused("skipped-night", _("refused (one record per night): the night of {night} is "
                                         "already recorded as skipped.").format(night=medium_date(night)))
    if facts.doses:
        raise Refused("one-dose-per-night", _(
            "refused (one record per night): a dose of {dose} is already recorded for the night of "
            "{night}; it cannot also be skipped.").format(dose=format_mg(facts.doses[0].dose_ug or 0),
                                                          night=medium_date(night)))
    if facts.scheduled is None:
        raise BadInput(_("nothing is scheduled for the night of {night}, so there is nothing to skip").format(
            night=medium_date(night)))
    record = Record(id=0, kind=RecordKind.SKIP, night=night, at=at.astimezone(profile.tz),
                    zone=profile.zone, scheduled_ug=facts.scheduled, note=note)
    return repo.add_record(record, recorded_at=now)


def void_record(db: Database, now: dt.datetime, record_id: int, reason: str | None, *,
                not_taken: bool = False) -> Record:
    """Cancel a dose or skip entered in error: a void record with the reason; nothing is deleted.

    A dose less than 12 hours old can only be voided with the statement that it was never
    taken (`not_taken`): voiding it reopens the night for another dose.
    """
    reason = require_text(reason, _("the reason"))
    with db.unit_of_work(Work.WRITE_PATIENT) as repo:
        profile = require_profile(repo)
        return add_void(repo, profile, now, record_id, reason, now, not_taken=not_taken)


def add_void(repo: Repository, profile: Profile, now: dt.datetime, record_id: int, reason: str,
             at: dt.datetime, *, not_taken: bool = False) -> Record:
    """Append a void for a dose or skip; the schema marks the record voided (the only update it
    allows, made by its own trigger)."""
    target = repo.record(record_id)
    if target is None or target.kind == "void":
        raise BadInput(_("there is no dose or skip record with id {id}").format(id=record_id),
                       hint=_("see medtrack history"))
    if target.voided:
        raise BadInput(_("record {id} is already voided ({reason})").format(id=record_id, reason=target.void_reason))
    if not_taken and target.kind != "dose":
        raise BadInput(_("record {id} is a skip, not a dose: void it without saying that a dose was "
                         "not taken").format(id=record_id))
    if target.counted and not not_taken and hours_apart(now, target.at) < MIN_DOSE_GAP:
        raise refusal("recent-dose", _(
            "the {dose} dose at {time} is less than 12 hours ago, and voiding it would make room for "
            "another dose. If you swallowed it, the record is true and stays: do not void it. Void it "
            "only if the dose was never taken, and say so.").format(
                dose=format_mg(target.dose_ug or 0), time=short_time(target.at.astimezone(profile.tz))),
            hint=_("add --not-taken only if it was never taken"))
    void = Record(id=0, kind=RecordKind.VOID, night=target.night, at=at.astimezone(profile.tz),
                  zone=profile.zone, voids=record_id, note=reason, not_taken=not_taken)
    return repo.add_record(void, recorded_at=now)


def history(db: Database, first: str | None = None, last: str | None = None) -> list[Record]:
    """Dose and skip records by night, oldest first, voided ones included and marked."""
    start, end = parse_period(first, last)
    with db.unit_of_work(Work.READ) as repo:
        require_profile(repo)
        return repo.records_for_nights(start or dt.date.min, end or dt.date.max)


def history_page(db: Database, before_id: int | None = None, limit: int = 200) -> list[Record]:
    """A page of the history, newest first: for screens that show it a page at a time."""
    with db.unit_of_work(Work.READ) as repo:
        require_profile(repo)
        return repo.records_page(before_id, limit)
