"""Profile and plan: the patient, the prescription and the taper plan with its versions."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
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

from medtrack.core.units import format_mg
from medtrack.errors import MedtrackError
from medtrack.tui.dialogs import _Dialog
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
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("e", "edit", "Edit profile")]

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
        from medtrack.services.profile import show_profile
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
        app.call_from_thread(self.query_one("#profile-text", Static).update,
                             plain(describe(profile, regimen, versions, prescription)))

    def action_edit(self) -> None:
        if getattr(self, "profile", None) is not None:
            self.app.push_screen(EditProfileDialog(self.profile), lambda _: self.load())


class EditProfileDialog(_Dialog):
    """Change profile fields; those that can loosen a limit need the prescriber's PIN if set."""

    def __init__(self, profile) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.profile = profile

    def compose(self) -> ComposeResult:
        p = self.profile
        with Vertical(classes="dialog wide"):
            yield Label(plain("Edit profile"), classes="dialog-title")
            with VerticalScroll():
                yield Label(plain("Name")); yield Input(p.name, id="name", compact=True)
                yield Label(plain("Time zone")); yield Input(p.zone, id="zone", compact=True)
                yield Label(plain("Bedtime (HH:MM)")); yield Input(f"{p.bedtime:%H:%M}", id="bedtime", compact=True)
                yield Label(plain("Wake time (HH:MM)")); yield Input(f"{p.wake:%H:%M}", id="wake", compact=True)
                yield Label(plain("Liver impairment"))
                yield Select([(v, v) for v in ("none", "mild", "moderate", "severe")], value=p.liver,
                             allow_blank=False, id="liver")
                yield Checkbox("Renal impairment", p.renal, id="renal")
                yield Checkbox("Pregnant", p.pregnant, id="pregnant")
                yield Checkbox("Breastfeeding", p.breastfeeding, id="breastfeeding")
                yield Label(plain("Prescriber PIN (needed for medical fields when a lock is set)"))
                yield Input(password=True, id="pin")
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel (Esc)", id="cancel")

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        from medtrack.services.profile import ProfileChanges

        value = lambda wid: self.query_one(f"#{wid}", Input).value  # noqa: E731
        checked = lambda wid: self.query_one(f"#{wid}", Checkbox).value  # noqa: E731
        changes = ProfileChanges(name=value("name"), zone=value("zone"), bedtime=value("bedtime"),
                                 wake=value("wake"), liver=str(self.query_one("#liver", Select).value),
                                 renal=checked("renal"), pregnant=checked("pregnant"),
                                 breastfeeding=checked("breastfeeding"))
        self._apply(changes, value("pin") or None)

    @work(thread=True, exclusive=True, group="write")
    def _apply(self, changes, pin: str | None) -> None:  # type: ignore[no-untyped-def]
        from medtrack.services.profile import set_profile

        app = self.app
        try:
            _, change, _ = set_profile(app.db, app.now(), changes, pin)  # type: ignore[attr-defined]
        except MedtrackError as error:
            app.call_from_thread(self._error, error.message)
            return
        app.call_from_thread(app.notify, plain(f"Saved: {change}" if change else "Nothing changed."))
        app.call_from_thread(self.dismiss, True)
