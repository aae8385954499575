"""iCalendar export (RFC 5545): a bedtime reminder per night in the profile's zone, notes on the
nights the dose changes, kept right across plan changes (stable UIDs, SEQUENCE, cancellations).

Importing a newer export over an older one leaves exactly one reminder per night: see
ics_plan.py for the UIDs and SEQUENCE, ics_tz.py for the VTIMEZONE.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import IO, TYPE_CHECKING
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from medtrack.core.nights import bedtime_day, local_instant
from medtrack.core.units import format_mg
from medtrack.errors import BadInput
from medtrack.export.forms import as_taken
from medtrack.export.ics_plan import Dose, Entry, Note, Reminders, Series, reminders, tail_start
from medtrack.export.ics_tz import vtimezone
from medtrack.i18n import _, medium_date

if TYPE_CHECKING:
    from medtrack.export.data import ExportData

DAY = dt.timedelta(days=1)
REMINDER = dt.timedelta(minutes=15)
UTC = dt.UTC


class _Writer:
    """Turns the entries of ics_plan into VEVENTs for one export."""

    def __init__(self, data: ExportData) -> None:
        self.data = data
        self.profile, self.drug = data.profile, data.drug
        self.zone = ZoneInfo(self.profile.zone)
        self.stamp = data.generated_at.astimezone(UTC).replace(microsecond=0)
        self.patient = data.patient_id or "patient"
        # A profile change can change what may be taken (a contraindication): every profile
        # version raises every SEQUENCE once, so a calendar client takes the new events.
        self.offset = len(data.profiles.versions) - 1 if data.profiles is not None else 0

    def bedtime(self, night: dt.date) -> dt.datetime:
        return local_instant(bedtime_day(night, self.profile.bedtime), self.profile.bedtime,
                             self.zone)

    def _event(self, uid: str, sequence: int, summary: str, description: str,
               cancelled: bool) -> Event:
        event = Event()
        event.add("uid", f"{uid}-{self.patient}@medtrack")
        event.add("dtstamp", self.stamp)
        event.add("sequence", sequence + self.offset)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("summary", summary)
        event.add("description", description)
        return event

    def _timed(self, event: Event, night: dt.date, dose: Dose | None) -> Event:
        event.add("dtstart", self.bedtime(night))
        event.add("duration", REMINDER)
        if dose is None:
            event.add("transp", "TRANSPARENT")
            return event
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _("Bedtime: {drug} {dose}").format(drug=self.drug.name,
                                                                     dose=self._at_most(dose, night)))
        alarm.add("trigger", -REMINDER)
        event.add_component(alarm)
        return event

    def _at_most(self, dose: Dose, night: dt.date) -> str:
        """The dose to take that night: never above the monograph's ceiling for the age then."""
        limit = self.data.ceiling_on(night)
        return _("at most {dose}").format(dose=format_mg(limit)) if dose.dose_ug > limit else _amount(dose)

    def _dose_words(self, dose: Dose, night: dt.date, last: dt.date | None = None) -> tuple[str, str]:
        amount = self._at_most(dose, night)
        words = _("Take {dose} of {drug} at bedtime. Only one dose a night; never two to make up. Do not "
                  "drive afterwards.").format(dose=amount, drug=self.drug.name)
        limit = self.data.ceiling_on(night)
        drop = self.data.ceiling_drop(night, last)
        if dose.dose_ug > limit:
            words += " " + _("The prescribed {dose} is above the monograph's {limit} nightly limit: ask your "
                             "prescriber to review the prescription.").format(
                dose=format_mg(dose.dose_ug), limit=format_mg(limit))
        elif drop is not None and dose.dose_ug > self.data.ceiling_on(drop):
            words += " " + _("From the night of {night} at most {limit} (the monograph's limit from age "
                             "{age}): ask your prescriber to review the prescription before then.").format(
                night=medium_date(drop), limit=format_mg(self.data.ceiling_on(drop)),
                age=self.drug.dosing.elderly_from_age)
        return f"{self.drug.name} {amount}", words

    def _cancelled(self, note: bool) -> tuple[str, str]:
        """A bedtime reminder (or, `note`, a plan note) the plan no longer has."""
        if note:
            return (_("Cancelled: {drug} plan note (the plan changed)").format(drug=self.drug.name),
                    _("The prescriber changed the plan, so this plan note no longer applies."))
        return (_("Cancelled: {drug} reminder (the plan changed)").format(drug=self.drug.name),
                _("The prescriber changed the plan, so this reminder no longer applies."))

    def _forbidden(self) -> tuple[str, str]:
        return (_("No {drug} (contraindicated)").format(drug=self.drug.name),
                _("Do not take {drug}: it is contraindicated for you now. Contact your doctor before taking "
                  "any dose.").format(drug=self.drug.name))

    def reminder(self, entry: Entry[Dose]) -> Event:
        forbidden = entry.content is not None and self.data.forbidden_on(entry.night)
        content = None if forbidden else entry.content
        summary, description = (self._forbidden() if forbidden else self._dose_words(content, entry.night)
                                if content else self._cancelled(note=False))
        event = self._event(f"{entry.night:%Y%m%d}", entry.sequence, summary, description, content is None)
        return self._timed(event, entry.night, content)

    def series(self, series: Series) -> list[Event]:
        """The open-ended dose as a daily event; cut where the ceiling drops below it (the 65th
        birthday), the rest a second series of what may be taken from then on."""
        drop = self.data.ceiling_drop(series.first, series.last)
        if drop is not None and not series.cancelled and series.dose_ug > self.data.ceiling_on(drop):
            before = replace(series, last=drop - DAY)
            capped = replace(series, first=drop)
            return [self._series(before), self._series(capped, uid_tail=f"-cap{drop:%Y%m%d}")]
        return [self._series(series)]

    def _series(self, series: Series, uid_tail: str = "") -> Event:
        dose = Dose(series.dose_ug, as_taken(series.regimen, series.dose_ug))
        forbidden = not series.cancelled and self.data.forbidden_on(series.first)
        cancelled = series.cancelled or forbidden
        summary, description = (self._forbidden() if forbidden else self._cancelled(note=False) if cancelled
                                else self._dose_words(dose, series.first, series.last))
        uid = f"from{tail_start(series.regimen):%Y%m%d}-r{series.regimen.seq}{uid_tail}"
        event = self._event(uid, series.sequence, summary, description, cancelled)
        self._timed(event, series.first, None if cancelled else dose)
        if not cancelled:
            rule: dict[str, object] = {"freq": "daily"}
            if series.last is not None:
                rule["until"] = self.bedtime(series.last).astimezone(UTC)
            event.add("rrule", rule)
        return event

    def note(self, entry: Entry[Note]) -> Event:
        summary, description = (self._note_words(entry.content) if entry.content
                                else self._cancelled(note=True))
        event = self._event(f"{entry.night:%Y%m%d}-note", entry.sequence, summary, description,
                            entry.content is None)
        event.add("dtstart", entry.night)
        event.add("dtend", entry.night + DAY)
        event.add("transp", "TRANSPARENT")
        return event

    def _note_words(self, note: Note) -> tuple[str, str]:
        name = self.drug.name
        new = _amount(Dose(note.dose_ug or 0, note.as_taken))
        if note.kind == "step":
            return (_("Taper step: {drug} {dose} from tonight").format(drug=name, dose=new),
                    _("The nightly dose changes from {before} to {dose}, as the prescriber set.").format(
                        before=format_mg(note.before_ug or 0), dose=new))
        if note.kind == "resume":
            return (_("Taper resumes: {drug} {dose} from tonight").format(drug=name, dose=new),
                    _("After a pause the nightly dose is {dose} again from tonight, as the prescriber "
                      "set.").format(dose=new))
        if note.kind == "pause" and note.resume is not None:
            return (_("Taper pause: no {drug} from tonight").format(drug=name),
                    _("The plan schedules no dose from tonight to the night of {last}; {dose} resumes on "
                      "the night of {resume}, as the prescriber set.").format(
                        last=medium_date(note.resume - DAY), dose=format_mg(note.resume_ug or 0),
                        resume=medium_date(note.resume)))
        return (_("End of taper: no more {drug} from tonight").format(drug=name),
                _("The plan ends here: from tonight no dose is scheduled, as the prescriber set."))


def _amount(dose: Dose) -> str:
    """'0.5 mg', or with tablets or a liquid '0.5 mg (½ tablet of 1 mg)'."""
    return format_mg(dose.dose_ug) + (f" ({dose.as_taken})" if dose.as_taken else "")


def period(data: ExportData) -> tuple[dt.date, dt.date | None]:
    """The nights to write: from tonight (past nights are left out unless --from asked for
    them) to the end of --to, or with no end."""
    first = data.first if data.from_given else max(data.first, data.tonight)
    last = data.schedule[-1].end if data.schedule else None  # open-ended unless --to was given
    return first, last


def check_scheduled(data: ExportData) -> Reminders:
    """What the calendar holds; refused when that is nothing."""
    first, last = period(data)
    found = reminders(data.regimens, first, last, data.tonight)
    if not found:
        raise BadInput(_("nothing is scheduled from {first} to {last}: the calendar would be empty").format(
            first=first, last=last) if last is not None else
            _("nothing is scheduled from {first} on: the calendar would be empty").format(first=first))
    return found


def write_ics(data: ExportData, stream: IO[bytes]) -> None:
    found = check_scheduled(data)
    writer = _Writer(data)
    events: list[tuple[dt.date, int, Event]] = []
    events += [(e.night, 0, writer.note(e)) for e in found.notes]
    events += [(s.first, 1, event) for s in found.series for event in writer.series(s)]
    events += [(e.night, 2, writer.reminder(e)) for e in found.doses]
    events.sort(key=lambda item: (item[0], item[1]))
    cal = Calendar()
    cal.add("prodid", "-//medtrack//flunitrazepam taper//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("{drug} plan").format(drug=data.drug.name))
    cal.add("x-wr-timezone", data.profile.zone)
    for _night, _order, event in events:
        cal.add_component(event)
    nights = [night for night, _order, _event in events] + [s.last for s in found.series if s.last]
    for tzid in sorted(cal.get_missing_tzids()):
        # a bedtime after midnight falls on the next day: one more day covers it
        cal.subcomponents.insert(0, vtimezone(ZoneInfo(tzid), min(nights), max(nights) + DAY))
    stream.write(cal.to_ical())
