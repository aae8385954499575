"""About the medicine: the monograph's own words, in plain sections."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from medtrack import i18n
from medtrack.i18n import _
from medtrack.services.common import localized, monograph
from medtrack.tui.patient import PatientScreen
from medtrack.tui.safe import plain


def sections() -> list[tuple[str, str]]:
    """The sections' titles and joining words are medtrack's (gettext); what they hold is the
    monograph's, in its own translation."""
    mono = monograph()
    g = mono.guidance
    serious = [e for e in mono.side_effects if e.serious]
    common = [e for e in mono.side_effects if not e.serious]
    urgent = _(" (urgent: contact your doctor or emergency services now)")
    return [
        (_("What it is for"), _("{drug} is a {drug_class}. {indication}").format(
            drug=mono.name, drug_class=mono.drug_class, indication=mono.indication)),
        (_("How to take it"), _("Take it {timing} ({route}). It starts to work within {onset}. One dose a "
                                "night, as your doctor prescribed.").format(
            timing=mono.timing, route=mono.route, onset=mono.onset)),
        (_("Serious side effects: call your doctor"), "\n".join(
            f"• {e.name}" + (urgent if e.urgent else "") for e in serious) + f"\n{g['call_doctor']}"),
        (_("Common side effects"), ", ".join(e.name for e in common)),
        (_("Precautions"), _("Do not take it if any of these apply:") + "\n" + "\n".join(
            f"• {r.text}" for r in mono.contraindications) + "\n" + _("Use with caution:") + "\n" + "\n".join(
            f"• {r.text}" for r in mono.cautions) + f"\n{g['elderly']}"),
        (_("Interactions"), "\n".join(f"• {i.name}: {i.text}" for i in mono.interactions)
         + f"\n{g['interactions_general']}"),
        (_("Driving"), g["driving"]),
        (_("Storage"), g["storage"]),
        (_("Dependence and stopping"), f"{g['dependence']}\n{g['stopping']}"),
        (_("Missed doses"), _("{missed_dose}\nmedtrack applies this for a sleeping medicine: take a late dose "
                              "only while a full night's sleep is still possible (your latest time is shown "
                              "on Tonight); otherwise skip it. Never take two.").format(
            missed_dose=g["missed_dose"])),
        (_("Disclaimer"), g["disclaimer"]),
    ]


def translation_notice() -> tuple[str, str] | None:
    """In a language other than English: whether its safety text was reviewed by a clinician."""
    language = i18n.language()
    if language == "en":
        return None
    state = localized(language)[2]
    if state.fully_reviewed:
        return None
    return (_("This translation is not reviewed"),
            _("No clinician has reviewed the translation of this medicine's safety text yet. Each "
              "passage is shown with the English original beside it, in [English: ...]; where the English "
              "has changed since it was translated, only the English is shown. When in doubt, the English "
              "is what medtrack checks against."))


class AboutScreen(PatientScreen):
    # _() at class level: the language is chosen (medtrack.i18n.use) before medtrack.tui is imported.
    BINDINGS = [Binding("escape", "app.pop_screen", _("Back"))]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="about"):
            notice = translation_notice()
            for title, text in [notice, *sections()] if notice else sections():
                yield Static(plain(title, "bold"), classes="about-title")
                yield Static(plain(text), classes="about-text")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = _("About the medicine")
        self.query_one("#about").focus()
