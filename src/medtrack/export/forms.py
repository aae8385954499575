"""How the exports name the product a dose is made from (tablets or a liquid, as the patient takes
it) and the stock of it."""

from __future__ import annotations

from medtrack.core.formulation import Formulation
from medtrack.core.model import Regimen
from medtrack.core.units import format_mg


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


def stock_unit(key: tuple[str, int]) -> str:
    """What a stock entry counts: '1 mg tablets', 'ml of 0.1 mg/ml'."""
    if key[0] == "liquid":
        return f"ml of {format_mg(key[1]).removesuffix(' mg')} mg/ml"
    return f"{format_mg(key[1])} tablets"


def stock_number(key: tuple[str, int], amount: int) -> float:
    """A stock amount as people count it: tablets (amounts are quarters) or ml (amounts are µl)."""
    return amount / (1000 if key[0] == "liquid" else 4)


def stock_amount(key: tuple[str, int], amount: int) -> str:
    """'15 × 1 mg tablets', '1 × 1 mg tablet', '12.5 ml of 0.1 mg/ml' (as `medtrack stock` says it)."""
    number = stock_number(key, amount)
    if key[0] == "liquid":
        return f"{number:g} {stock_unit(key)}"
    return f"{number:g} × {format_mg(key[1])} tablet{'s' if number != 1 else ''}"
