"""The stock forms: tablets or liquid received, and a count by the patient or a carer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Label, Static

from medtrack.core.stock import StockReport
from medtrack.i18n import N_, _, decimal
from medtrack.services.stock import add_stock, amount_text, count_stock
from medtrack.tui.access import app_of
from medtrack.tui.dialogs import WriteDialog
from medtrack.tui.patient import Patient
from medtrack.tui.safe import plain

StockRequest = tuple[str, str | None]  # the quantity as typed, and the note

QUANTITY_HELP = N_("e.g. 30x1mg (30 tablets of 1 mg), 12.5x0.5mg, or 100ml of the liquid")


def stock_text(stock: StockReport | None) -> Content:
    """What is left and how many nights it lasts; each flagged count (the lines after the
    levels and the nights) in the warning style."""
    if stock is None:
        return Content("")
    lines = stock.lines()
    ordinary = len(stock.levels) + (stock.nights is not None)
    return Content("\n").join([plain(line) for line in lines[:ordinary]]
                              + [plain(f"! {line}", "$text-warning") for line in lines[ordinary:]])


class _QuantityDialog(WriteDialog[StockRequest]):
    """A quantity of tablets or liquid and an optional note; subclasses say what and write it."""

    WORDS = ("", "", "", "")  # title, explanation, the quantity's label, the note's example (marked: N_)

    def body(self) -> ComposeResult:
        title, intro, label, example = (_(word) for word in self.WORDS)
        yield from self.heading(title, intro)
        yield Static(plain(f"{label} ({_(QUANTITY_HELP)})"))
        yield Input(id="quantity", compact=True)
        yield Label(plain(_("Note (optional, e.g. {example})").format(example=example)))
        yield Input(id="note", compact=True)

    def request(self) -> StockRequest:
        return self.value("quantity"), self.value("note") or None


class AddStockDialog(_QuantityDialog):
    """What was received (e.g. from the pharmacy), with an optional note."""

    WORDS = (N_("Add stock"), N_("What you received, e.g. from the pharmacy. Each dose you record uses "
                                 "its share of it."), N_("How many of which"), N_("pharmacy"))

    def write(self, request: StockRequest) -> str:
        quantity, note = request
        app = app_of(self)
        entry = add_stock(self.db, app.now(), quantity, note)
        return _("Stock added: {amount}.").format(amount=amount_text(entry.key, entry.amount))


class CountStockDialog(_QuantityDialog):
    """What a count found. It is kept with what was expected; a count that differs by more
    than half a tablet (0.5 ml) is flagged and the patient is told so in a dialog."""

    # What is expected is not shown before the count is entered: a count should be what is
    # really there. After it, both numbers are said.
    WORDS = (N_("Count stock"), N_("Count what is left now and enter it. The count is kept; from now on "
                                   "it is the stock, and each count is compared with what the last "
                                   "delivery and the doses since leave."),
             N_("What you counted"), N_("counted with my daughter"))

    def __init__(self, patient: Patient) -> None:
        super().__init__(patient)
        self.flagged: str | None = None

    def write(self, request: StockRequest) -> str:
        quantity, note = request
        app = app_of(self)
        counted = count_stock(self.db, app.now(), quantity, note)
        entry = counted.entry
        line = _("Count recorded: {amount}. {expected}.").format(
            amount=amount_text(entry.key, entry.amount), expected=counted.expected_words)
        if entry.flagged and entry.expected is not None:
            half = decimal("0.5") + " ml" if entry.key[0] == "liquid" else _("half a tablet")
            self.flagged = line + "\n\n" + _(
                "This count differs from the {expected} expected by more than {half}; it is kept and "
                "shown to your prescriber. Please tell them or your pharmacist.").format(
                expected=amount_text(entry.key, entry.expected), half=half)
        return line

    def done(self, line: str) -> None:
        if self.flagged is None:
            super().done(line)
        else:
            self.answer(self.flagged)  # the profile screen shows it until OK is pressed
