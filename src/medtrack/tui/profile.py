"""Profile and plan: the patient, the prescription and the taper plan with its versions."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    Footer,
    Header,
    Input,
    Label,
    Select,
    Static,
)

from medtrack.core.model import LIVER_LEVELS
from medtrack.core.units import format_mg
from medtrack.errors import MedtrackError
from medtrack.tui.dialogs import Dialog
from medtrack.tui.safe import plain


def describe(profile, regimen, versions, prescription=None) -> str:  # type: ignore[no-untyped-def]
    from medtrack.services.taper import steps_json

    lines = [f"{profile.name}, born {profile.born}, zone {profile.zone}",
             f"Bedtime {profile.bedtime:%H:%M}, wake {profile.wake:%H:%M}, minimum sleep "
             f"{profile.min_sleep_min / 60:g} h",
             f"Liver: {profile.liver}; renal impairment: {'yes' if profile.renal else 'no'}; pregnant: "
             f"{'yes' if profile.pregnant else 'no'}; breastfeeding: {'yes' if profile.breastfeeding else 'no'}",
             f"Conditions: {', '.join(profile.conditions) or 'none'}", ""]
    if prescription is not None:
        lines.append(f"Prescription: {format_mg(prescription.steps[0].dose_ug)} at bedtime from "
                     f"{prescription.start}, by {prescription.prescriber}"
                     + (f" (contraindication acknowledged: {prescription.acknowledged})"
                        if prescription.acknowledged else ""))
    if regimen is None:
        lines.append("Nothing is prescribed for tonight.")
    elif regimen.kind == "plan":
        lines.append(f"Tonight the taper plan (version {regimen.version}) is in force.")
    for plan in versions:
        lines.append("")
        lines.append(f"Taper plan version {plan.version} by {plan.prescriber}: {plan.change}"
                     + (f" (reason: {plan.reason})" if plan.reason else ""))
        for step in steps_json(plan):
            until = f"to {step['end']}" if step["end"] else "onwards"
            lines.append(f"   from {step['start']} {until}: {step['dose_mg']} mg")
    return "\n".join(lines)


class ProfileScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("e", "edit", "Edit profile"),
                Binding("n", "prescribe", "New prescription")]

    def __init__(self) -> None:
        super().__init__()
        self.profile = None
        self.contraindicated = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="profile"):
            yield Static("Loading…", id="profile-text")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Profile and plan"
        self.load()

    @work(thread=True, exclusive=True, group="profile")
    def load(self) -> None:
        from medtrack.services.prescribing import current_regimen, latest_prescription
        from medtrack.services.profile import profile_warnings, show_profile
        from medtrack.services.taper import plan_versions

        app = self.app
        try:
            profile = show_profile(app.db)  # type: ignore[attr-defined]
            regimen = current_regimen(app.db, app.now())  # type: ignore[attr-defined]
            versions = plan_versions(app.db)  # type: ignore[attr-defined]
            prescription = latest_prescription(app.db)  # type: ignore[attr-defined]
        except MedtrackError as error:
            app.call_from_thread(app.notify, plain(error.message), severity="error")
            return
        self.profile = profile
        self.contraindicated = any(w.startswith("contraindicated")
                                   for w in profile_warnings(profile, app.now()))  # type: ignore[attr-defined]
        text = describe(profile, regimen, versions, prescription)
        if prescription is None and not versions:
            text += "\n\nPress  n  to enter the prescription as your prescriber wrote it."
        app.call_from_thread(self.query_one("#profile-text", Static).update, plain(text))

    def action_edit(self) -> None:
        if self.profile is not None:
            self.app.push_screen(EditProfileDialog(self.profile), lambda _: self.load())

    def action_prescribe(self) -> None:
        if self.profile is not None:
            self.app.push_screen(PrescribeDialog(self.contraindicated), self._prescribed)

    def _prescribed(self, done: bool | None) -> None:
        if done:
            self.app.refresh_tonight()  # type: ignore[attr-defined]
        self.load()


class _WriteDialog(Dialog):
    """A form whose Save runs a service in a worker; errors stay inline with what was typed."""

    WIDE = True

    def __init__(self) -> None:
        super().__init__()
        self._saving = False

    def buttons(self) -> ComposeResult:
        yield Button("Save", variant="primary", id="save")
        yield from super().buttons()

    def value(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        if self._saving:  # a second Enter while the first save runs
            return
        self._saving = True
        self.error("Saving…")
        self._write(self.request())

    def request(self) -> object:
        raise NotImplementedError

    def write(self, request: object) -> str:
        """Run the service (in a worker thread); return the line to notify."""
        raise NotImplementedError

    @work(thread=True, group="write")
    def _write(self, request: object) -> None:
        app = self.app
        try:
            done = self.write(request)
        except MedtrackError as error:
            app.call_from_thread(self._failed, error.message)
            return
        app.call_from_thread(app.notify, plain(done), timeout=8)
        app.call_from_thread(self.answer, True)

    def _failed(self, message: str) -> None:
        self._saving = False
        self.error(message)


class EditProfileDialog(_WriteDialog):
    """Change profile fields; those that can loosen a limit need the prescriber's PIN if set."""

    def __init__(self, profile) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.profile = profile

    def body(self) -> ComposeResult:
        p = self.profile
        yield from self.heading("Edit profile")
        yield Label(plain("Name")); yield Input(p.name, id="name", compact=True)
        yield Label(plain("Time zone")); yield Input(p.zone, id="zone", compact=True)
        yield Label(plain("Bedtime (HH:MM)")); yield Input(f"{p.bedtime:%H:%M}", id="bedtime", compact=True)
        yield Label(plain("Wake time (HH:MM)")); yield Input(f"{p.wake:%H:%M}", id="wake", compact=True)
        yield Label(plain("Liver impairment"))
        yield Select([(v, v) for v in LIVER_LEVELS], value=p.liver, allow_blank=False, id="liver")
        yield Checkbox("Renal impairment", p.renal, id="renal")
        yield Checkbox("Pregnant", p.pregnant, id="pregnant")
        yield Checkbox("Breastfeeding", p.breastfeeding, id="breastfeeding")
        yield Label(plain("Prescriber PIN (needed for medical fields when a lock is set)"))
        yield Input(password=True, id="pin", compact=True)

    def request(self) -> object:
        from medtrack.services.profile import ProfileChanges

        checked = lambda wid: self.query_one(f"#{wid}", Checkbox).value  # noqa: E731
        changes = ProfileChanges(name=self.value("name"), zone=self.value("zone"),
                                 bedtime=self.value("bedtime"), wake=self.value("wake"),
                                 liver=str(self.query_one("#liver", Select).value),
                                 renal=checked("renal"), pregnant=checked("pregnant"),
                                 breastfeeding=checked("breastfeeding"))
        return changes, self.value("pin") or None

    def write(self, request: object) -> str:
        from medtrack.services.profile import set_profile

        changes, pin = request  # type: ignore[misc]
        _, change, _ = set_profile(self.app.db, self.app.now(), changes, pin)  # type: ignore[attr-defined]
        return f"Saved: {change}" if change else "Nothing changed."


class PrescribeDialog(_WriteDialog):
    """Enter the prescription as the prescriber wrote it (PIN-guarded once a lock is set)."""

    def __init__(self, contraindicated: bool = False) -> None:
        super().__init__()
        self.contraindicated = contraindicated

    def body(self) -> ComposeResult:
        yield from self.heading("New prescription", "As your prescriber wrote it. It is checked "
                                "against the monograph for your age; nights already recorded "
                                "keep their dose.")
        yield Label(plain("Nightly dose (e.g. 1 mg)")); yield Input(id="dose", compact=True)
        yield Label(plain("Prescriber")); yield Input(id="prescriber", compact=True)
        yield Label(plain("First night (YYYY-MM-DD; empty = tonight)"))
        yield Input(id="start", compact=True)
        if self.contraindicated:
            yield Label(plain("Contraindication acknowledged by the prescriber (only if they "
                              "wrote so)"))
            yield Input(id="acknowledge", compact=True)
        yield Label(plain("Prescriber PIN (only when a lock is set)"))
        yield Input(password=True, id="pin", compact=True)

    def request(self) -> object:
        acknowledge = self.value("acknowledge") if self.contraindicated else ""
        return (self.value("dose"), self.value("prescriber"), self.value("start").strip() or None,
                acknowledge or None, self.value("pin") or None)

    def write(self, request: object) -> str:
        from medtrack.services.prescribing import prescribe

        dose, prescriber, start, acknowledge, pin = request  # type: ignore[misc]
        regimen, notice = prescribe(self.app.db, self.app.now(), dose, prescriber, start,  # type: ignore[attr-defined]
                                    None, acknowledge, pin)
        saved = (f"Prescription saved: {format_mg(regimen.steps[0].dose_ug)} at bedtime from the "
                 f"night of {regimen.start}.")
        return f"{notice} {saved}" if notice else saved
