"""How the exports name the product a dose is made from (tablets or a liquid, as the patient takes
it) and the stock of it."""

from __future__ import annotations

from medtrack.core.formulation import Formulation
from medtrack.core.model import Record, Regimen
from medtrack.i18n import N_, _

KIND_WORDS = {"dose": N_("dose"), "skip": N_("skip"), "void": N_("void")}  # a record's kind, as shown


def kind_words(record: Record) -> str:
    """A record's kind in the report's language ('dose', 'skip', 'void' in English)."""
    return _(KIND_WORDS[record.kind]) if record.kind in KIND_WORDS else record.kind


def status_words(record: Record) -> str:
    """The record's status as the CSV's status column has it (csv_export.status_of), in the
    report's language: the CSV keeps the English words, for programs."""
    if record.kind == "void":
        return _("void, not taken") if record.not_taken else _("void")
    if record.voided:
        return _("voided")
    status = _("taken") if record.kind == "dose" else _("skipped")
    return status + (_(", imported") if record.imported else "")


def product(regimen: Regimen | None) -> Formulation | None:
    """The tablets or liquid a regimen records. None for a regimen recorded before formulations
    and for the plain dispensable unit (`--round`): its "as taken" would only repeat the mg."""
    if regimen is None or regimen.formulation is None or regimen.formulation.is_plain:
        return None
    return regimen.formulation


def as_taken(regimen: Regimen | None, dose_ug: int | None) -> str | None:
    """'½ tablet of 1 mg' for a dose under a regimen with tablets or a liquid, else None."""
    made_with = product(regimen)
    if made_with is None or not dose_ug:
        return None
    return made_with.as_taken(dose_ug)


def stock_number(key: tuple[str, int], amount: int) -> float:
    """A stock amount as people count it: tablets (amounts are quarters) or ml (amounts are µl)."""
    return amount / (1000 if key[0] == "liquid" else 4)


