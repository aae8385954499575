"""The Calendar screen: the plan month by month, one cell per night, with what happened.

A record made elsewhere shows within a second or so: the month shown is read again when the
database's version changes (tui/live.py)."""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Footer, Header, Static

from medtrack.core.calendar import MARKS, STEP_MARK, NightState, legend
from medtrack.core.units import format_mg
from medtrack.errors import MedtrackError
from medtrack.i18n import _, decimal
from medtrack.services.calendar import Month, calendar_month
from medtrack.tui.access import app_of
from medtrack.tui.live import DatabaseWatch
from medtrack.tui.patient import Patient, PatientScreen
from medtrack.tui.safe import clean, plain
from medtrack.tui.words import day_date, month_year, weekday

CELL = 10  # a night's cell, in columns: "dd ✓▸" over " 0.25 mg"
NARROWEST = 7  # a 60-column terminal has room for 8; below 7 the dose cannot be shown whole
DAY = dt.timedelta(days=1)


def shift_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, 1)


def cell_width(columns: int) -> int:
    """The widest cell (at most CELL) of which seven fit in `columns`."""
    return max(NARROWEST, min(CELL, columns // 7))


def dose_cell(ug: int | None, width: int) -> str:
    """' 0.25 mg', on one line in a cell of `width` (' 0.125mg' where the space does not fit)."""
    if not ug:
        return " -".ljust(width)
    dose = format_mg(ug)
    if len(dose) + 1 > width:
        dose = dose.replace(" ", "")
    return f" {dose}"[:width].ljust(width)


def render_month(month: Month, selected: dt.date, cell: int = CELL, *, colour: bool = True) -> Content:
    """Seven columns of `cell` columns, two lines per week: the day with its mark, then the
    scheduled dose. Without colour (NO_COLOR) a mark is drawn in the text colour: a red one
    would come out a dim grey."""
    monday = month.nights[0].night - month.nights[0].night.weekday() * DAY
    names = (weekday(monday + n * DAY) for n in range(7))  # "Mon" ... "Sun" in the chosen language
    header = Content("").join(Content.styled(d + " " * max(cell - cell_len(d), 0), "bold") for d in names)
    lines = [header]
    first = month.nights[0].night
    cells_top = [Content(" " * cell)] * first.weekday()
    cells_low = [Content(" " * cell)] * first.weekday()
    for night in month.nights:
        mark = MARKS[night.state]
        style = "reverse" if night.night == selected else ""
        day = Content.styled(f"{night.night.day:>2}", "bold underline" if night.night == month.today else "")
        # only the mark is coloured: a coloured blank turned into a block on the selected night
        step = (Content.styled(STEP_MARK, "bold $text-accent" if colour else "bold") if night.step_change
                else Content(" "))
        shown = Content.styled(mark.symbol, mark.style if colour else "bold" if "bold" in mark.style else "")
        top = Content.assemble(day, " ", shown, step).pad_right(cell - 5)
        low = Content.styled(dose_cell(night.scheduled_ug, cell),
                             ("bold $text-accent" if colour else "bold") if night.step_change else "")
        cells_top.append(top.stylize(style))
        cells_low.append(low.stylize(style))
    for row in range(0, len(cells_top), 7):
        lines.append(Content("").join(cells_top[row:row + 7]))
        lines.append(Content("").join(cells_low[row:row + 7]))
    return Content("\n").join(lines)


class CalendarScreen(PatientScreen):
    # Below 24 rows the month's name moves up into the header (and the legend docks above the
    # footer), so that a six-week month, the selected night and the legend fit 60x20.
    BINDINGS = [
        Binding("escape", "app.pop_screen", _("Back")),
        Binding("left", "move(-1)", _("Day"), show=False),
        Binding("right", "move(1)", _("Day"), show=False),
        Binding("up", "move(-7)", _("Week"), show=False),
        Binding("down", "move(7)", _("Week"), show=False),
        Binding("pageup", "month(-1)", _("Month -")),
        Binding("pagedown", "month(1)", _("Month +")),
        Binding("t", "today", _("Today")),
    ]

    def __init__(self, patient: Patient) -> None:
        super().__init__(patient)
        self.selected: dt.date | None = None
        self.month: Month | None = None
        self.live = DatabaseWatch(patient.database)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Loading…"), id="cal-title")
        yield Static("", id="cal-grid")
        yield Static("", id="cal-detail")
        yield Static("", id="cal-summary")
        yield Static(plain(legend(step=True)), id="cal-legend")
        yield self.live
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = _("Calendar")
        self.load(None)

    @on(DatabaseWatch.Changed)
    def _changed_elsewhere(self) -> None:
        if self.month is not None:  # the month shown, read again (the selected night stays)
            self.load(self.month.label)

    @work(thread=True, exclusive=True, group="calendar")
    def load(self, month_text: str | None) -> None:
        app = app_of(self)
        try:
            self.live.reading()
            month = calendar_month(self.db, app.now(), month_text)
        except MedtrackError as error:
            app.call_from_thread(app.notify, clean(error.message), severity="error", markup=False)
            return
        app.call_from_thread(self._show, month)

    def _show(self, month: Month) -> None:
        self.month = month
        first, last = month.nights[0].night, month.nights[-1].night
        if self.selected is None or not first <= self.selected <= last:
            self.selected = month.today if first <= month.today <= last else first
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()  # the cells' width follows the terminal's; the month's name may move

    def redraw(self) -> None:
        month, selected = self.month, self.selected
        if month is None or selected is None:
            return
        name = month_year(dt.date(month.year, month.month, 1))
        self.query_one("#cal-title", Static).update(plain(name, "bold"))
        screen = _("Calendar")
        self.sub_title = f"{screen} · {name}" if self.has_class("-short") else screen
        # the grid's padding and a scroll bar, if the screen needs one, are not the cells'
        cell = cell_width(self.size.width - 4)
        self.query_one("#cal-grid", Static).update(render_month(month, selected, cell,
                                                                colour=not self.app.no_color))
        night = next(n for n in month.nights if n.night == selected)
        dose = (_("scheduled {dose}").format(dose=format_mg(night.scheduled_ug)) if night.scheduled_ug
                else _("nothing scheduled"))
        if night.scheduled_ug and night.as_taken:
            dose += f" ({night.as_taken})"
        taken = _(", taken {dose}").format(dose=format_mg(night.taken_ug)) if night.taken_ug else ""
        change = _(" (the dose changes this night)") if night.step_change else ""
        state = "" if night.state is NightState.NONE else f": {_(MARKS[night.state].words)}"
        self.query_one("#cal-detail", Static).update(plain(
            f"{day_date(selected)}: {dose}{taken}{state}{change}"))
        s = month.summary()
        average = decimal(f"{s['average_ug'] / 1000:.2f}") + " mg" if s["average_ug"] else "-"
        complete = f"\n{month.completion.words('flunitrazepam')}" if month.completion is not None else ""
        self.query_one("#cal-summary", Static).update(plain(
            _("This month: {taken} taken, {missed} missed, {skipped} skipped, {excess} excess · "
              "average dose {average}").format(taken=s["taken"], missed=s["missed"], skipped=s["skipped"],
                                               excess=s["excess"], average=average) + complete))

    def action_move(self, days: int) -> None:
        if self.selected is None or self.month is None:
            return
        target = self.selected + days * DAY
        self.selected = target
        if (target.year, target.month) != (self.month.year, self.month.month):
            self.load(f"{target:%Y-%m}")
        else:
            self.redraw()

    def action_month(self, months: int) -> None:
        if self.selected is None:
            return
        target = shift_month(self.selected, months)
        self.selected = target
        self.load(f"{target:%Y-%m}")

    def action_today(self) -> None:
        self.selected = None
        self.load(None)
