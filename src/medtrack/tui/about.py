"""About the medicine: the monograph's own words, in plain sections."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from medtrack.monograph import load_monograph
from medtrack.tui.patient import PatientScreen
from medtrack.tui.safe import plain


def sections() -> list[tuple[str, str]]:
    mono = load_monograph()
    g = mono.guidance
    serious = [e for e in mono.side_effects if e.serious]
    common = [e for e in mono.side_effects if not e.serious]
    return [
        ("What it is for", f"{mono.name} is a {mono.drug_class}. {mono.indication}"),
        ("How to take it", f"Take it {mono.timing} ({mono.route}). It starts to work within "
                           f"{mono.onset}. One dose a night, as your doctor prescribed."),
        ("Serious side effects: call your doctor", "\n".join(
            f"• {e.name}" + (" (urgent: contact your doctor or emergency services now)" if e.urgent else "")
            for e in serious) + f"\n{g['call_doctor']}"),
        ("Common side effects", ", ".join(e.name for e in common)),
        ("Precautions", "Do not take it if any of these apply:\n" + "\n".join(
            f"• {r.text}" for r in mono.contraindications) + "\nUse with caution:\n" + "\n".join(
            f"• {r.text}" for r in mono.cautions) + f"\n{g['elderly']}"),
        ("Interactions", "\n".join(f"• {i.name}: {i.text}" for i in mono.interactions)
         + f"\n{g['interactions_general']}"),
        ("Driving", g["driving"]),
        ("Storage", g["storage"]),
        ("Dependence and stopping", f"{g['dependence']}\n{g['stopping']}"),
        ("Missed doses", f"{g['missed_dose']}\nmedtrack applies this for a sleeping medicine: "
                         "take a late dose only while a full night's sleep is still possible "
                         "(your latest time is shown on Tonight); otherwise skip it. Never take two."),
        ("Disclaimer", g["disclaimer"]),
    ]


class AboutScreen(PatientScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="about"):
            for title, text in sections():
                yield Static(plain(title, "bold"), classes="about-title")
                yield Static(plain(text), classes="about-text")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = "About the medicine"
        self.query_one("#about").focus()
