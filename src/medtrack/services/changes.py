"""Where a new prescription or plan version may start: never over a night already recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from medtrack.core.model import Profile, Regimen
from medtrack.core.rules import altered_nights, regimen_on, scheduled_ug
from medtrack.core.units import format_mg
from medtrack.errors import BadInput
from medtrack.i18n import _, medium_date
from medtrack.services.nights import DAY, tonight
from medtrack.storage.repository import Repository


def next_seq(repo: Repository) -> int:
    """The recording order a new regimen gets: after every existing one (it is the newest)."""
    return max((r.seq for r in repo.regimens()), default=0) + 1


def _dose_words(dose: int | None) -> str:
    return format_mg(dose) if dose else _("nothing")


def place_change(repo: Repository, profile: Profile, now: dt.datetime,
                 make: Callable[[dt.date], Regimen], start: dt.date | None) -> tuple[Regimen, str | None]:
    """The new version `make(night)` builds, starting on `start` (None: tonight), checked
    against every recorded night it would cover.

    A change may start in the past only over nights with nothing recorded, or where it keeps
    the scheduled dose; otherwise it is refused, naming the night. When the start is the
    default and tonight is already recorded with another dose, it starts the next night
    instead, and the returned notice says so in one line.
    """
    current = tonight(profile, now)
    candidate = make(start or current)
    regimens = repo.regimens()
    recorded = repo.recorded_nights(candidate.start)
    altered = altered_nights(regimens, candidate, recorded)
    notice = None
    if altered and start is None:  # only tonight can be recorded from tonight on
        notice = _("Tonight ({tonight}) is already recorded, so this change starts with tomorrow night "
                   "({tomorrow}).").format(tonight=medium_date(current), tomorrow=medium_date(current + DAY))
        candidate = make(current + DAY)
        recorded = repo.recorded_nights(candidate.start)
        altered = altered_nights(regimens, candidate, recorded)
    if altered:
        night = altered[0]
        before = scheduled_ug(regimen_on(regimens, night), night)
        after = scheduled_ug(regimen_on([*regimens, candidate], night), night)
        raise BadInput(_("this change would alter the night of {night}, which is already recorded "
                         "(scheduled {before}, it would become {after}): a recorded night is never "
                         "re-judged. The change may start on the night of {first} at the earliest").format(
                             night=medium_date(night), before=_dose_words(before), after=_dose_words(after),
                             first=medium_date(max(recorded) + DAY)))
    return candidate, notice
