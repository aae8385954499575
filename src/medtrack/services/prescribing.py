"""Use case: the prescriber sets the nightly dose (and the minimum sleep) from a start night."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from medtrack.core.formulation import cannot_make, parse_formulation
from medtrack.core.model import Regimen, Step
from medtrack.core.parse import parse_date, parse_hours
from medtrack.core.rule_words import refusal
from medtrack.core.rules import ceiling_ug, ceiling_words, contraindications, regimen_on
from medtrack.core.units import format_mg, parse_dose
from medtrack.i18n import _, medium_date
from medtrack.services.changes import next_seq, place_change
from medtrack.services.common import monograph, require_profile
from medtrack.services.lock import require_pin
from medtrack.services.nights import tonight
from medtrack.services.profile import check_sleep, describe_changes
from medtrack.services.text import optional_text, require_text
from medtrack.storage.database import Database
from medtrack.storage.work import Work


@dataclass(frozen=True)
class PrescriptionRequest:
    """`prescribe` as typed: the nightly dose and who prescribes it, from a start night (None:
    tonight), with what may come with it; None leaves each out."""

    dose: str
    prescriber: str
    start: str | None = None
    min_sleep: str | None = None  # hours; None keeps the profile's
    acknowledge: str | None = None  # the prescriber's acknowledgement of a contraindication
    pin: str | None = None
    tablets: tuple[str, ...] = ()
    liquid: str | None = None
    measure: str | None = None


def prescribe(db: Database, now: dt.datetime, request: PrescriptionRequest) -> tuple[Regimen, str | None]:
    """A new prescription in force from its start night (default tonight) until a newer one.

    Returns it with a notice when tonight was already recorded and it starts tomorrow instead.
    """
    dose_ug = parse_dose(request.dose)
    prescriber = require_text(request.prescriber, _("the prescriber's name")).strip()
    acknowledge = optional_text(request.acknowledge, _("the acknowledgement"))
    min_sleep_min = (parse_hours(request.min_sleep, what=_("the minimum sleep"))
                     if request.min_sleep is not None else None)
    start_night = parse_date(request.start, what=_("start date")) if request.start is not None else None
    formulation = parse_formulation(list(request.tablets), request.liquid, request.measure, None)
    if formulation is not None and not formulation.can_make(dose_ug):
        raise cannot_make(formulation, dose_ug)
    mono = monograph()
    with db.unit_of_work(Work.WRITE_PATIENT) as repo:
        profile = require_profile(repo)
        seq = next_seq(repo)
        candidate, notice = place_change(repo, profile, now, lambda night: Regimen(
            kind="prescription", id=0, seq=seq, prescriber=prescriber,
            steps=(Step(night, dose_ug),), created_at=now, formulation=formulation), start_night)
        night = candidate.start
        if min_sleep_min is not None:
            check_sleep(profile.bedtime, profile.wake, min_sleep_min)
        require_pin(repo, request.pin, now)
        blocked = contraindications(mono, profile, night)
        if blocked and not acknowledge:
            reasons = "; ".join(r.text.rstrip(".") for r in blocked)
            raise refusal("contraindication", _(
                "{reasons}. {drug} cannot be prescribed for this patient unless the prescriber "
                "acknowledges it for the record.").format(reasons=reasons, drug=mono.name),
                hint=_("the prescriber can add --acknowledge-contraindication TEXT"))
        limit = ceiling_ug(mono, profile, night)
        if dose_ug > limit:
            raise refusal("monograph-ceiling", _("{dose} is above {ceiling} (on {night}).").format(
                dose=format_mg(dose_ug), ceiling=ceiling_words(mono, profile, night), night=medium_date(night)))
        if min_sleep_min is not None and min_sleep_min != profile.min_sleep_min:
            changed = dataclasses.replace(profile, min_sleep_min=min_sleep_min)
            repo.add_profile(changed, at=now, change=describe_changes(profile, changed) + f" (by {prescriber})")
        regimen_id = repo.add_regimen(
            kind="prescription", prescriber=prescriber, steps=[Step(night, dose_ug)], at=now,
            acknowledged=acknowledge, acknowledged_ids=[r.id for r in blocked] if acknowledge else [],
            formulation=formulation,
        )
        return next(r for r in repo.regimens() if r.id == regimen_id), notice


def current_regimen(db: Database, now: dt.datetime) -> Regimen | None:
    with db.unit_of_work(Work.READ) as repo:
        profile = require_profile(repo)
        return regimen_on(repo.regimens(), tonight(profile, now))


def latest_prescription(db: Database) -> Regimen | None:
    """The most recently written prescription (a plan may be in force instead)."""
    with db.unit_of_work(Work.READ) as repo:
        require_profile(repo)
        found = [r for r in repo.regimens() if r.kind == "prescription"]
        return found[-1] if found else None
