"""What every use case starts from: the monograph, the profile, and a period of nights."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

from medtrack import i18n
from medtrack.core.drug import Monograph, Withdrawal
from medtrack.core.model import Profile
from medtrack.core.parse import parse_date
from medtrack.errors import BadInput, NoProfile
from medtrack.i18n import _, medium_date
from medtrack.monograph import load_monograph
from medtrack.storage.database import Database
from medtrack.storage.repository import Repository
from medtrack.storage.work import Work
from medtrack.withdrawal import load_withdrawal

if TYPE_CHECKING:
    from medtrack.monograph_translations import TranslationState


def monograph() -> Monograph:
    """The monograph, its safety text in the chosen language where a translation of today's
    English exists (an unreviewed one with the English beside it; monograph_translations)."""
    language = i18n.language()
    return load_monograph("flunitrazepam") if language == "en" else localized(language)[0]


def withdrawal_data() -> Withdrawal:
    """The withdrawal data (red flags, check-in items), in the chosen language as above."""
    language = i18n.language()
    return load_withdrawal("flunitrazepam") if language == "en" else localized(language)[1]


@functools.cache
def localized(language: str) -> tuple[Monograph, Withdrawal, TranslationState]:
    """The monograph and withdrawal data in `language`, with the state of their translation
    (English reads no translation file: `monograph()` and `withdrawal_data()` skip this)."""
    from medtrack.monograph_translations import localize

    return localize(load_monograph("flunitrazepam"), load_withdrawal("flunitrazepam"), language)


def require_profile(repo: Repository) -> Profile:
    profile = repo.profile()
    if profile is None:
        raise NoProfile(_("there is no profile yet: set one up first"),
                        hint=_("start with: {command}").format(command="medtrack init --name NAME --born YYYY-MM-DD"))
    return profile


def profile_language(db: Database) -> str:
    """The language the profile asks for ('' when it asks for none, when there is no profile yet,
    or when no one patient is meant: a ward's list speaks the environment's language)."""
    try:
        with db.unit_of_work(Work.READ) as repo:
            profile = repo.profile()
    except BadInput:
        return ""
    return profile.language if profile is not None else ""


def parse_period(first: str | None, last: str | None) -> tuple[dt.date | None, dt.date | None]:
    """A period of nights as typed (either end may be open); the earlier date comes first."""
    start = parse_date(first, what=_("the from date")) if first is not None else None
    end = parse_date(last, what=_("the to date")) if last is not None else None
    if start and end and start > end:
        raise BadInput(_("the from date {first} is after the to date {last}: give the earlier date first").format(
            first=medium_date(start), last=medium_date(end)))
    return start, end
