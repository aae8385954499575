"""Profile and plan: the patient, the prescription, the stock and the taper plan with its
versions; keys open the forms that change them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import (
    Checkbox,
    Footer,
    Header,
    Input,
    Label,
    Select,
    Static,
)

from medtrack import i18n
from medtrack.core.formulation import Formulation
from medtrack.core.language import FOLLOW_ENVIRONMENT, LANGUAGES
from medtrack.core.model import Profile, Regimen
from medtrack.core.nights import night_of
from medtrack.core.stock import StockReport
from medtrack.core.taper import change_words
from medtrack.core.timeline import Takeover
from medtrack.core.units import format_mg
from medtrack.errors import MedtrackError
from medtrack.i18n import _, decimal, medium_date, short_time
from medtrack.services.common import monograph
from medtrack.services.prescribing import (
    PrescriptionRequest,
    current_regimen,
    latest_prescription,
    prescribe,
)
from medtrack.services.profile import (
    ProfileChanges,
    language_words,
    profile_warnings,
    set_profile,
    show_profile,
)
from medtrack.services.stock import show_stock
from medtrack.services.taper import plan_history, steps_json
from medtrack.tui.access import app_of
from medtrack.tui.dialogs import (
    MessageDialog,
    WriteDialog,
    formulation_fields,
    formulation_values,
)
from medtrack.tui.patient import Patient, PatientScreen
from medtrack.tui.plan_form import PlanFormDialog
from medtrack.tui.safe import clean, plain
from medtrack.tui.stock import AddStockDialog, CountStockDialog, stock_text


def describe(profile: Profile, regimen: Regimen | None, versions: Sequence[Regimen],
             prescription: Regimen | None = None, stock: StockReport | None = None,
             takeovers: Mapping[int, Takeover] | None = None) -> Content:
    """The profile, the prescription, the stock and every plan version with its formulation,
    steps, what replaced it and from when, and the warnings the prescriber saw (warnings and
    flagged counts in that style)."""
    def yes(value: bool) -> str:
        return _("yes") if value else _("no")

    shown: list[Content] = [plain(line) for line in (
        _("{name}, born {born}, zone {zone}").format(name=profile.name, born=medium_date(profile.born),
                                                    zone=profile.zone),
        _("Bedtime {bedtime}, wake {wake}, minimum sleep {hours} h").format(
            bedtime=short_time(profile.bedtime), wake=short_time(profile.wake),
            hours=decimal(f"{profile.min_sleep_min / 60:g}")),
        _("Liver: {liver}; renal impairment: {renal}; pregnant: {pregnant}; breastfeeding: "
          "{breastfeeding}").format(liver=_(profile.liver), renal=yes(profile.renal),
                                    pregnant=yes(profile.pregnant), breastfeeding=yes(profile.breastfeeding)),
        _("Conditions: {conditions}").format(conditions=", ".join(profile.conditions) or _("none")),
        _("Language: {language}").format(language=language_words(profile.language)), "")]
    if prescription is not None:
        dose, made = prescription.steps[0].dose_ug, prescription.formulation
        shown.append(plain(_("Prescription: {dose} at bedtime from {start}, by {prescriber}").format(
                               dose=format_mg(dose), start=medium_date(prescription.start),
                               prescriber=prescription.prescriber)
                           + (_(" (contraindication acknowledged: {note})").format(note=prescription.acknowledged)
                              if prescription.acknowledged else "")
                           + (_("; taken as {taken}").format(taken=made.as_taken(dose)) if made is not None
                              else "")))
        if made is not None:
            shown.append(plain(_("Formulation: {formulation}").format(formulation=made.describe())))
    if regimen is None:
        shown.append(plain(_("Nothing is prescribed for tonight.")))
    elif regimen.kind == "plan":
        shown.append(plain(_("Tonight the taper plan (version {version}) is in force.").format(
            version=regimen.version)))
    shown.append(plain(""))
    shown.append(stock_text(stock) if stock is not None else plain(
        _("No stock recorded yet: press  a  to add the tablets or liquid you received.")))
    for plan in versions:
        shown.append(plain(""))
        shown.append(plain(_("Taper plan version {version} by {prescriber}: {change}").format(
                               version=plan.version, prescriber=plan.prescriber, change=change_words(plan.change))
                           + (_(" (reason: {reason})").format(reason=plan.reason) if plan.reason else ""),
                           "bold"))
        shown.append(plain("   " + _("Formulation: {formulation}").format(formulation=plan.form.describe())))
        for step in steps_json(plan):
            until = (_("to {night}").format(night=medium_date(dt.date.fromisoformat(step["end"])))
                     if step["end"] else _("onwards"))
            taken = (f" ({step['as_taken']})" if plan.formulation is not None and step["dose_mg"]
                     else "")
            shown.append(plain("   " + _("from {start} {until}: {dose} mg").format(
                start=medium_date(dt.date.fromisoformat(step["start"])), until=until,
                dose=decimal(str(step["dose_mg"]))) + taken))
        takeover = (takeovers or {}).get(plan.id)
        if takeover is not None:
            shown.append(plain("   " + takeover.words()))
        if plan.warnings:
            shown.append(plain("   " + _("Warnings when it was saved ({count}; advice, they did not block "
                                         "the plan):").format(count=len(plan.warnings))))
            shown += [plain(f"   ! {warning.text}", "$text-warning") for warning in plan.warnings]
    return Content("\n").join(shown)


def current_formulation(prescription: Regimen | None, versions: Sequence[Regimen]) -> Formulation | None:
    """The formulation of the newest prescription or plan version that recorded one."""
    recorded = [r for r in (prescription, *versions) if r is not None and r.formulation is not None]
    return max(recorded, key=lambda r: r.seq).formulation if recorded else None


def language_choices() -> list[tuple[str, str]]:
    """The profile's language choices, each language in its own name (i18n.NAMES)."""
    return [(_("As the environment says"), FOLLOW_ENVIRONMENT),
            *((i18n.NAMES[code], code) for code in LANGUAGES)]


class ProfileScreen(PatientScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", _("Back")), Binding("e", "edit", _("Edit")),
                Binding("n", "prescribe", _("Prescribe")), Binding("t", "plan", _("Plan")),
                Binding("a", "add_stock", _("Add stock")), Binding("o", "count_stock", _("Count"))]

    def __init__(self, patient: Patient) -> None:
        super().__init__(patient)
        self.profile: Profile | None = None
        self.contraindicated = False
        self.prescriber = ""
        self.from_dose = ""
        self.formulation: Formulation | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="profile"):
            yield Static(_("Loading…"), id="profile-text")
        yield Footer(show_command_palette=False)  # room for every key of this screen

    def on_mount(self) -> None:
        self.sub_title = _("Profile and plan")
        self.load()

    @work(thread=True, exclusive=True, group="profile")
    def load(self) -> None:
        app = app_of(self)
        try:
            profile = show_profile(self.db)
            regimen = current_regimen(self.db, app.now())
            versions, takeovers = plan_history(self.db)
            prescription = latest_prescription(self.db)
            stock = show_stock(self.db, app.now())
        except MedtrackError as error:
            app.call_from_thread(app.notify, clean(error.message), severity="error", markup=False)
            return
        self.profile = profile
        self.contraindicated = any(w.contraindicated for w in profile_warnings(profile, app.now()))
        newest = regimen or (versions[0] if versions else prescription)
        self.prescriber = newest.prescriber if newest is not None else ""
        night = night_of(app.now(), profile.tz)
        dose = regimen.dose_on(night) if regimen is not None else None
        self.from_dose = format_mg(dose).replace(" ", "") if dose else ""
        self.formulation = current_formulation(prescription, versions)
        text = describe(profile, regimen, versions, prescription, stock, takeovers)
        if prescription is None and not versions:
            text += plain("\n\n" + _("Press  n  to enter the prescription as your prescriber wrote it."))
        app.call_from_thread(self._show_text, text)  # widgets are looked up on the app's thread

    def _show_text(self, text: Content) -> None:
        self.query_one("#profile-text", Static).update(text)

    def action_edit(self) -> None:
        if self.profile is not None:
            self.app.push_screen(EditProfileDialog(self.patient, self.profile), self._edited)

    def action_prescribe(self) -> None:
        if self.profile is not None:
            self.app.push_screen(PrescribeDialog(self.patient, self.contraindicated), self._written)

    def action_plan(self) -> None:
        if self.profile is not None:
            self.app.push_screen(PlanFormDialog(self.patient, self.prescriber, self.from_dose, self.formulation),
                                 self._written)

    def action_add_stock(self) -> None:
        if self.profile is not None:
            self.app.push_screen(AddStockDialog(self.patient), self._written)

    def action_count_stock(self) -> None:
        if self.profile is not None:
            self.app.push_screen(CountStockDialog(self.patient), self._written)

    def _edited(self, _result: bool | str | None) -> None:
        self.load()

    def _written(self, done: bool | str | None) -> None:
        if done:
            app_of(self).refresh_tonight()
        if isinstance(done, str):  # something the patient must read, not a passing notice
            self.app.push_screen(MessageDialog(_("Please note"), done))
        self.load()


class EditProfileDialog(WriteDialog[tuple[ProfileChanges, str | None]]):
    """Change profile fields; a change that can loosen a limit needs the prescriber's PIN if set."""

    def __init__(self, patient: Patient, profile: Profile) -> None:
        super().__init__(patient)
        self.profile = profile

    def body(self) -> ComposeResult:
        p = self.profile
        yield from self.heading(_("Edit profile"))
        yield Label(plain(_("Name")))
        yield Input(p.name, id="name", compact=True)
        yield Label(plain(_("Time zone")))
        yield Input(p.zone, id="zone", compact=True)
        yield Label(plain(_("Bedtime (HH:MM)")))
        yield Input(f"{p.bedtime:%H:%M}", id="bedtime", compact=True)
        yield Label(plain(_("Wake time (HH:MM)")))
        yield Input(f"{p.wake:%H:%M}", id="wake", compact=True)
        yield Label(plain(_("Liver impairment")))
        # the levels are the monograph's (none, mild, moderate, severe): the rating words' msgids
        yield Select([(_(v), v) for v in monograph().liver_levels], value=p.liver, allow_blank=False, id="liver")
        yield Checkbox(_("Renal impairment"), p.renal, id="renal")
        yield Checkbox(_("Pregnant"), p.pregnant, id="pregnant")
        yield Checkbox(_("Breastfeeding"), p.breastfeeding, id="breastfeeding")
        yield Label(plain(_("Language")))
        yield Select(language_choices(), value=p.language, allow_blank=False, id="language")
        yield Label(plain(_("Prescriber PIN (when a lock is set: for a change that loosens a limit)")))
        yield Input(password=True, id="pin", compact=True)

    def request(self) -> tuple[ProfileChanges, str | None]:
        def checked(wid: str) -> bool:
            return self.query_one(f"#{wid}", Checkbox).value

        changes = ProfileChanges(name=self.value("name"), zone=self.value("zone"),
                                 bedtime=self.value("bedtime"), wake=self.value("wake"),
                                 liver=str(self.query_one("#liver", Select).value),
                                 renal=checked("renal"), pregnant=checked("pregnant"),
                                 breastfeeding=checked("breastfeeding"),
                                 language=str(self.query_one("#language", Select).value))
        return changes, self.value("pin") or None

    def write(self, request: tuple[ProfileChanges, str | None]) -> str:
        changes, pin = request
        app = app_of(self)
        _profile, change, _warnings = set_profile(self.db, app.now(), changes, pin)
        return _("Saved: {change}").format(change=change) if change else _("Nothing changed.")


class PrescribeDialog(WriteDialog[PrescriptionRequest]):
    """Enter the prescription as the prescriber wrote it (PIN-guarded once a lock is set)."""

    def __init__(self, patient: Patient, contraindicated: bool = False) -> None:
        super().__init__(patient)
        self.contraindicated = contraindicated

    def body(self) -> ComposeResult:
        yield from self.heading(_("New prescription"), _("As your prescriber wrote it. It is checked "
                                                         "against the monograph for your age; nights already "
                                                         "recorded keep their dose."))
        yield Label(plain(_("Nightly dose (e.g. 1 mg)")))
        yield Input(id="dose", compact=True)
        yield Label(plain(_("Prescriber")))
        yield Input(id="prescriber", compact=True)
        yield Label(plain(_("First night (YYYY-MM-DD; empty = tonight)")))
        yield Input(id="start", compact=True)
        yield from formulation_fields()
        if self.contraindicated:
            yield Static(plain(_("Contraindication acknowledged by the prescriber (only if they "
                                 "wrote so)")))
            yield Input(id="acknowledge", compact=True)
        yield Label(plain(_("Prescriber PIN (only when a lock is set)")))
        yield Input(password=True, id="pin", compact=True)

    def request(self) -> PrescriptionRequest:
        acknowledge = self.value("acknowledge") if self.contraindicated else ""
        tablets, liquid, measure = formulation_values(self)
        return PrescriptionRequest(
            dose=self.value("dose"), prescriber=self.value("prescriber"),
            start=self.value("start").strip() or None, acknowledge=acknowledge or None,
            pin=self.value("pin") or None, tablets=tablets, liquid=liquid, measure=measure)

    def write(self, request: PrescriptionRequest) -> str:
        app = app_of(self)
        regimen, notice = prescribe(self.db, app.now(), request)
        dose_ug = regimen.steps[0].dose_ug
        taken = f" ({regimen.formulation.as_taken(dose_ug)})" if regimen.formulation else ""
        saved = _("Prescription saved: {dose}{taken} at bedtime from the night of {night}.").format(
            dose=format_mg(dose_ug), taken=taken, night=medium_date(regimen.start))
        return f"{notice} {saved}" if notice else saved

