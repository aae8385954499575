"""Tonight's widgets: each takes the decided night (`NightView`) as a reactive attribute and draws
its own part of it. The screen only sets `TonightScreen.night`; the parts follow by data binding.

Nothing here decides anything about the night: the state, the dose that may be taken, the
window and the words come from `core` through the status service; this module chooses how
they look.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Digits, Static

from medtrack.core.calendar import MARKS, STRIP, legend
from medtrack.core.tonight_state import TonightState
from medtrack.core.units import format_mg
from medtrack.i18n import N_, _, ngettext, short_time
from medtrack.tui.safe import clean, plain
from medtrack.tui.words import long_date, weekday

if TYPE_CHECKING:  # the services load after the first frame
    from medtrack.core.calendar import CalendarNight
    from medtrack.services.health import DatabaseHealth
    from medtrack.services.status import Status

# The words are marked with N_() here and translated with _() where they are shown.
STATE_WORDS: dict[TonightState, str] = {
    TonightState.CONTRAINDICATED: N_("Do not take it: contraindicated"),
    TonightState.TAKEN: N_("Taken"),
    TonightState.SKIPPED: N_("Skipped tonight"),
    TonightState.NO_PRESCRIPTION: N_("No prescription recorded"),
    TonightState.NO_DOSE: N_("Nothing scheduled tonight"),
    TonightState.NOT_YET: N_("Not yet"),
    TonightState.DUE: N_("Due now"),
    TonightState.SKIP: N_("Too late: skip tonight"),
}
# The morning after, the state is about last night.
MORNING_WORDS: dict[TonightState, str] = {
    TonightState.SKIPPED: N_("Skipped last night"),
    TonightState.SKIP: N_("Too late: skip last night"),
}
HINTS: dict[TonightState, str] = {
    TonightState.DUE: N_("Press  l  to log tonight's dose."),
    TonightState.SKIP: N_("Press  k  to record that you skip tonight."),
    TonightState.NO_PRESCRIPTION: N_("Press  p  to enter the prescription."),
}


@dataclass(frozen=True)
class NightView:
    """What Tonight shows: tonight's status, the last nights, and whether a record can be
    written (health None: not checked yet, so assumed, as each write checks again)."""

    status: Status
    nights: tuple[CalendarNight, ...]
    health: DatabaseHealth | None = None
    name: str | None = None  # the patient's name, when opened from the ward

    @property
    def writable(self) -> bool:
        return self.health is None or self.health.writable

    @property
    def to_take(self) -> bool:
        """A dose is invited (core.decide gave an amount) and it can be recorded."""
        return bool(self.status.may_take_ug) and self.writable

    @property
    def who(self) -> str:
        return f"{clean(self.name)} · " if self.name else ""


def state_words(report: Status) -> str:
    """Tonight's state in words: "Due now", "Taken at 22:10", "Taper complete", ..."""
    if report.completion is not None and report.state is TonightState.NO_DOSE:
        return _("Taper complete")
    if report.state is TonightState.TAKEN and report.taken_at is not None:
        return _("Taken at {time}").format(time=short_time(report.taken_at))
    if report.decision.morning and report.state in MORNING_WORDS:
        return _(MORNING_WORDS[report.state])  # the morning after: about that night
    return _(STATE_WORDS[report.state])


def why_not(report: Status) -> str:
    """Why `l` does not open the log dialog in this state, in words."""
    if report.state is TonightState.TAKEN and report.taken_at is not None:
        return _("Tonight's dose is already recorded ({dose} at {time}). Never take a second dose.").format(
            dose=format_mg(report.taken_ug or 0), time=short_time(report.taken_at))
    if report.state is TonightState.SKIPPED:
        return _("Tonight is recorded as skipped. Take the next dose at the usual time.")
    if report.state is TonightState.NO_DOSE:
        return _("Nothing is scheduled tonight.")
    if report.state is TonightState.NOT_YET:
        return _("Not yet: the window opens at {time}.").format(time=short_time(report.window_opens))
    if report.state is TonightState.SKIP:
        return _("Too late tonight: skip it and take the next dose at the usual time.")
    return report.guidance


def same_night_state(a: Status, b: Status) -> bool:
    """Whether two reports say the same about tonight (what a dialog would be based on)."""
    return ((a.night, a.state, a.taken_ug, a.scheduled_ug, a.may_take_ug)
            == (b.night, b.state, b.taken_ug, b.scheduled_ug, b.may_take_ug))


class NightPart(Static):
    """A line of Tonight, drawn again whenever the night it is bound to changes."""

    night: reactive[NightView | None] = reactive(None)

    def watch_night(self, night: NightView | None) -> None:
        if night is not None:
            self.show(night)

    def show(self, night: NightView) -> None:
        raise NotImplementedError


class NightTitle(NightPart):
    def show(self, night: NightView) -> None:
        report = night.status
        self.update(plain(night.who + _("{drug} · night of {date}").format(
            drug=report.drug, date=long_date(report.night))))


class DoseChange(NightPart):
    """The step's change tonight ("Tonight the dose goes down to 0.5 mg"), when there is one."""

    def show(self, night: NightView) -> None:
        self.update(plain(night.status.dose_change or ""))
        self.display = bool(night.status.dose_change)


class DoseLine(Horizontal):
    """The dose in large digits, only while a dose is invited and can be recorded."""

    night: reactive[NightView | None] = reactive(None)

    def compose(self) -> ComposeResult:
        yield Digits("", id="dose-digits")
        yield Static("", id="dose-unit")

    def watch_night(self, night: NightView | None) -> None:
        if night is None:
            return
        report = night.status
        self.display = night.to_take
        self.query_one(Digits).update(format_mg(report.may_take_ug).removesuffix(" mg")
                                      if report.may_take_ug else "")
        now = report.state is TonightState.DUE
        if report.decision.over_ceiling:
            unit = _("mg at most, now") if now else _("mg at most, at bedtime")
        else:
            unit = _("mg now") if now else _("mg at bedtime")
        self.query_one("#dose-unit", Static).update(plain(unit))


class AsTaken(NightPart):
    """The dose as the patient takes it ("1 tablet of 1 mg"), beside the digits."""

    def show(self, night: NightView) -> None:
        as_taken = night.status.as_taken
        self.update(plain(_("Take it as: {as_taken}").format(as_taken=as_taken) if as_taken else ""))
        self.display = night.to_take and bool(as_taken)


class StateLine(NightPart):
    def show(self, night: NightView) -> None:
        report = night.status
        self.update(plain(state_words(report)))
        complete = report.completion is not None and report.state is TonightState.NO_DOSE
        self.set_classes("state-complete" if complete else f"state-{report.state.value}")


class DrugFree(NightPart):
    """The drug-free nights since the taper ended."""

    def show(self, night: NightView) -> None:
        completion = night.status.completion
        if completion is not None:
            free = completion.drug_free_nights
            self.update(plain(ngettext("{count} drug-free night", "{count} drug-free nights",
                                       free).format(count=free)))
        self.display = completion is not None


class Guidance(NightPart):
    """What to do now in words; a database that cannot be written says so first, in red."""

    def show(self, night: NightView) -> None:
        report, health = night.status, night.health
        if health is not None and not health.writable:
            self.update(plain(f"{health.message}\n{health.what_to_do(report)}"))
            self.set_class(True, "danger")
        else:
            self.update(plain(report.guidance))
            self.set_class(report.excess, "danger")


class WindowLine(NightPart):
    """When the dose may be taken, the limit where it matters, and how last night went."""

    def show(self, night: NightView) -> None:
        from medtrack.core.night_words import shows_limit  # the rules: not for the first frame

        report = night.status
        outcome = _(MARKS[report.previous_night].words)  # as the calendar says it
        if not report.window_line:
            before = _("The night before: {outcome}") if report.decision.morning else _("Last night: {outcome}")
            self.update(plain(before.format(outcome=outcome)))
            return
        limit = (_(" · limit {limit}").format(limit=format_mg(report.max_ug))
                 if shows_limit(report.decision) else "")
        window = _("Window: opens {opens}, latest {latest} ({zone}){limit}").format(
            opens=short_time(report.window_opens), latest=short_time(report.latest_dose_at),
            zone=report.zone, limit=limit)
        before = _("the night before: {outcome}") if report.decision.morning else _("last night: {outcome}")
        self.update(plain(f"{window} · {before.format(outcome=outcome)}"))


class Warnings(NightPart):
    """The night's warnings, one per line; red when a symptom is urgent."""

    def show(self, night: NightView) -> None:
        self.update(plain("\n".join(f"! {w}" for w in night.status.warnings)))
        self.set_class(bool(night.status.urgent), "urgent")


class LastNights(NightPart):
    """The last seven nights, one mark each (fits 60 columns)."""

    def show(self, night: NightView) -> None:
        self.update(plain(_("Last 7 nights: {nights}").format(nights=strip_text(night.nights))))


def strip_text(nights: Sequence[CalendarNight]) -> str:
    return " ".join(f"{weekday(n.night)} {MARKS[n.state].symbol}" for n in nights)


class StripLegend(NightPart):
    """What the strip's marks mean (hidden on short terminals)."""

    def show(self, night: NightView) -> None:
        self.update(plain(f"({legend(STRIP)})"))


class ActionHint(NightPart):
    """The one key to press now, if any."""

    def show(self, night: NightView) -> None:
        if night.writable:
            hint = _(HINTS[night.status.state]) if night.status.state in HINTS else ""
        else:
            hint = _("Press  r  to check again.")
        self.update(plain(hint))


class StockLine(NightPart):
    """What is left and how many nights it lasts (only once stock is recorded)."""

    def show(self, night: NightView) -> None:
        from medtrack.tui.stock import stock_text  # the stock forms load with the services

        self.update(stock_text(night.status.stock))
        self.display = night.status.stock is not None
