"""What every use case starts from: the monograph, the profile, and a period of nights."""

from __future__ import annotations

import datetime as dt

from medtrack.core.drug import Monograph
from medtrack.core.model import Profile
from medtrack.core.parse import parse_date
from medtrack.errors import BadInput, NoProfile
from medtrack.monograph import load_monograph
from medtrack.storage.repository import Repository


def monograph() -> Monograph:
    return load_monograph("flunitrazepam")


def require_profile(repo: Repository) -> Profile:
    profile = repo.profile()
    if profile is None:
        raise NoProfile("there is no profile yet: set one up first",
                        hint="start with: medtrack init --name NAME --born YYYY-MM-DD")
    return profile


def parse_period(first: str | None, last: str | None) -> tuple[dt.date | None, dt.date | None]:
    """A period of nights as typed (either end may be open); the earlier date comes first."""
    start = parse_date(first, what="the from date") if first is not None else None
    end = parse_date(last, what="the to date") if last is not None else None
    if start and end and start > end:
        raise BadInput(f"the from date {start} is after the to date {end}: give the earlier date first")
    return start, end
