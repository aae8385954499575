"""The taper plan form: a plan as the prescriber gives it, previewed step by step with its
warnings before anything is saved; saving is a separate, deliberate press."""

from __future__ import annotations

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Label, Static
from textual.worker import get_current_worker

from medtrack.core.formulation import Formulation
from medtrack.core.units import format_mg
from medtrack.errors import MedtrackError
from medtrack.i18n import N_, _, medium_date
from medtrack.services.plan_build import Draft, PlanRequest
from medtrack.services.taper import preview_plan, set_plan
from medtrack.tui.access import app_of
from medtrack.tui.dialogs import WriteDialog, formulation_fields, formulation_values
from medtrack.tui.patient import Patient
from medtrack.tui.safe import plain

HELP = N_("Dates as YYYY-MM-DD. The cut per step is an amount (0.25mg) or a share (10%); each "
        "step lasts 'every' (14d or 2w). Instead of a cut, give the largest cut (10%), or an "
        "end-by night and the cut is found. Enter shows the preview; nothing is saved until "
        "you press Save plan.")
WARNINGS_TITLE = N_("advice for the prescriber; they do not block the plan")  # N_: translated where shown


def preview_text(draft: Draft) -> Content:
    """Every step (night, nights, dose, cut in mg and %, how it is taken), then the warnings."""
    lines: list[tuple[str, str]] = [(_("Preview (nothing saved): {formulation}").format(
        formulation=draft.formulation.describe()), "bold")]
    solved = draft.solved_words()
    if solved is not None:
        lines.append((solved, ""))
    step, start, nights, dose, cut = _("step"), _("from"), _("nights"), _("dose"), _("cut")
    stop, onwards = _("0 (stop)"), _("onwards")
    # the columns' widths as in English (4, 10, 7, 9), wider where a language's words need it
    widths = (max(4, cell_len(step)), max(10, cell_len(start)), max(7, cell_len(nights), cell_len(onwards)),
              max(9, cell_len(dose), cell_len(stop)))
    lines.append((f"{_right(step, widths[0])}  {_left(start, widths[1])}  {_right(nights, widths[2])}  "
                  f"{_left(dose, widths[3])} {cut}", "bold"))
    for row in draft.rows:
        dose = format_mg(row.dose_ug) if row.dose_ug else stop
        cut = row.change_text()
        nights = str(row.days) if row.days is not None else onwards
        lines.append((f"{_right(str(row.number), widths[0])}  {_left(medium_date(row.start), widths[1])}  "
                      f"{_right(nights, widths[2])}  {_left(dose, widths[3])} {cut}", ""))
        if row.dose_ug:
            lines.append((" " * (widths[0] + 2) + _("taken as {taken}").format(taken=row.as_taken), "$text-muted"))
    if draft.warnings:
        lines.append((_("{count} warning(s) ({title}):").format(count=len(draft.warnings), title=_(WARNINGS_TITLE)),
                      "bold"))
        lines += [(f"! {warning.text}", "$text-warning") for warning in draft.warnings]
    else:
        lines.append((_("No warnings."), ""))
    return Content("\n").join(plain(line, style) for line, style in lines)


class PlanFormDialog(WriteDialog[PlanRequest]):
    """Set the taper plan (a new version when one exists). Enter in a field previews; only
    the Save plan button saves."""

    def __init__(self, patient: Patient, prescriber: str = "", from_dose: str = "",
                 formulation: Formulation | None = None) -> None:
        super().__init__(patient)
        self.prescriber, self.from_dose = prescriber, from_dose
        self.formulation = formulation
        self._previewed: PlanRequest | None = None  # the request the preview shows

    def body(self) -> ComposeResult:
        yield from self.heading(_("Taper plan"), _(HELP))
        with Horizontal(classes="form-row"):
            yield from _field(_("First night"), "start")
            yield from _field(_("From dose"), "from", self.from_dose)
            yield from _field(_("Every"), "every")
        with Horizontal(classes="form-row"):
            yield from _field(_("Cut per step"), "step")
            yield from _field(_("Largest cut"), "max-cut")
            yield from _field(_("End by night"), "until")
        yield Static(plain(_("Stop to 0 only from this dose or less (optional, e.g. 0.05mg)")))
        yield Input(id="final-from", compact=True)
        keep = self.formulation.describe() if self.formulation is not None else None
        yield from formulation_fields(keep)
        with Horizontal(classes="form-row"):
            yield from _field(_("Prescriber"), "prescriber", self.prescriber)
            yield from _field(_("Reason (for a new version)"), "reason")
        yield Label(plain(_("Prescriber PIN (only when a lock is set)")))
        yield Input(password=True, id="pin", compact=True)
        yield Static("", id="preview-note", classes="dialog-error")
        yield Static("", id="plan-preview")

    def buttons(self) -> ComposeResult:
        yield Button(_("Preview"), variant="primary", id="preview")
        yield Button(_("Save plan"), variant="warning", id="save")
        yield Button(_("Cancel (Esc)"), id="cancel")

    def request(self) -> PlanRequest:
        def given(wid: str) -> str | None:
            return self.value(wid).strip() or None

        tablets, liquid, measure = formulation_values(self)
        return PlanRequest(
            prescriber=self.value("prescriber"), start=given("start"), from_dose=given("from"),
            step=given("step"), every=given("every"), reason=given("reason"),
            pin=self.value("pin") or None, tablets=tablets, liquid=liquid, measure=measure,
            max_cut=given("max-cut"), final_from=given("final-from"), until=given("until"))

    # -- preview: Enter in a field or the Preview button; nothing is written -----------------

    def submit(self) -> None:
        self.preview()

    @on(Button.Pressed, "#preview")
    def _preview_pressed(self) -> None:
        self.preview()

    def preview(self) -> None:
        if self._answered:
            return
        self.error("")
        self.query_one("#preview-note", Static).update(plain(_("Previewing…")))
        self._preview(self.request())

    @work(thread=True, exclusive=True, group="preview")
    def _preview(self, request: PlanRequest) -> None:
        app = app_of(self)
        try:
            draft = preview_plan(self.db, request)
        except MedtrackError as error:
            if not get_current_worker().is_cancelled:
                app.call_from_thread(self._preview_failed, error.message)
            return
        if not get_current_worker().is_cancelled:  # a newer preview was asked for
            app.call_from_thread(self._show_preview, request, draft)

    def _show_preview(self, request: PlanRequest, draft: Draft) -> None:
        if self._answered:
            return
        self._previewed = request
        self.query_one("#preview-note", Static).update("")
        shown = self.query_one("#plan-preview", Static)
        shown.update(preview_text(draft))
        self.call_after_refresh(self._reveal, shown, True)

    def _preview_failed(self, message: str) -> None:
        if self._answered:
            return
        self._previewed = None
        self.query_one("#preview-note", Static).update("")
        self.query_one("#plan-preview", Static).update("")
        self.error(message)  # the service's words, made for a person: no option in them

    @on(Input.Changed)
    def _changed(self) -> None:
        if self._previewed is not None and self.request() != self._previewed:
            self.query_one("#preview-note", Static).update(plain(
                _("The form has changed since this preview: press Enter to preview it again.")))

    # -- save: only the button ----------------------------------------------------------------

    def write(self, request: PlanRequest) -> str:
        app = app_of(self)
        plan = set_plan(self.db, app.now(), request)
        count = len(plan.warnings)
        said = (_("with {count} warning(s) for the prescriber (shown with the version in Profile)").format(
                    count=count) if count else _("with no warnings"))
        return _("Taper plan version {version} saved, in force from {night}, {warnings}.").format(
            version=plan.version, night=medium_date(plan.start), warnings=said)


def _left(text: str, width: int) -> str:
    """`text` padded to `width` columns (a Japanese character takes two)."""
    return text + " " * max(width - cell_len(text), 0)


def _right(text: str, width: int) -> str:
    return " " * max(width - cell_len(text), 0) + text


def _field(label: str, wid: str, value: str = "") -> ComposeResult:
    with Vertical(classes="form-field"):
        yield Label(plain(label))
        yield Input(value, id=wid, compact=True)
