"""Use cases for the patient's profile: create it, show it, change it (each change recorded)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from medtrack import i18n
from medtrack.clock import REAL_CLOCK, Clock
from medtrack.core.language import parse_language
from medtrack.core.model import Profile
from medtrack.core.nights import nominal_sleep_minutes
from medtrack.core.parse import parse_clock, parse_date, parse_zone
from medtrack.core.profile_change import loosened_limits
from medtrack.core.rules import cautions, contraindications
from medtrack.errors import BadInput
from medtrack.i18n import _, decimal, medium_date, short_time
from medtrack.location import Location
from medtrack.services.common import monograph, require_profile
from medtrack.services.lock import require_pin
from medtrack.services.nights import tonight
from medtrack.services.text import require_text
from medtrack.storage.database import Database, same_name
from medtrack.storage.work import Work


@dataclass(frozen=True)
class ProfileChanges:
    """Raw values from the user; None means 'leave as it is' (or the default, for init)."""

    name: str | None = None
    born: str | None = None
    zone: str | None = None
    bedtime: str | None = None
    wake: str | None = None
    liver: str | None = None
    renal: bool | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    conditions: tuple[str, ...] | None = None
    language: str | None = None  # a code or a name; "auto" or "" follows the environment


def system_zone() -> str:
    """The machine's IANA zone name (TZ, then /etc/localtime), else UTC."""
    candidate = os.environ.get("TZ", "").lstrip(":")
    if not candidate:
        try:
            target = os.readlink("/etc/localtime")
            candidate = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
        except OSError:
            candidate = ""
    if candidate:
        try:
            ZoneInfo(candidate)
            return candidate
        except (ValueError, OSError, KeyError):
            pass
    return "UTC"


def apply_changes(base: Profile, changes: ProfileChanges, now: dt.datetime) -> Profile:
    """Validate raw input and return the changed profile (pure: nothing is written)."""
    values: dict[str, Any] = {}
    if changes.name is not None:
        values["name"] = require_text(changes.name, _("the name")).strip()
    if changes.zone is not None:
        values["zone"] = parse_zone(changes.zone).key
    if changes.born is not None:
        born = parse_date(changes.born, what=_("birth date"))
        zone = values.get("zone", base.zone)
        if born > now.astimezone(parse_zone(zone)).date():
            raise BadInput(_("birth date {born} is in the future: give the date of birth as YYYY-MM-DD").format(
                born=medium_date(born)))
        values["born"] = born
    if changes.bedtime is not None:
        values["bedtime"] = parse_clock(changes.bedtime, what=_("bedtime"))
    if changes.wake is not None:
        values["wake"] = parse_clock(changes.wake, what=_("wake time"))
    if changes.liver is not None:
        levels = monograph().liver_levels
        if changes.liver not in levels:
            raise BadInput(_("liver '{liver}' is not known (accepted: {accepted})").format(
                liver=changes.liver, accepted=", ".join(levels)))
        values["liver"] = changes.liver
    for flag in ("renal", "pregnant", "breastfeeding"):
        if getattr(changes, flag) is not None:
            values[flag] = bool(getattr(changes, flag))
    if changes.conditions is not None:
        known = monograph().conditions
        for condition in changes.conditions:
            if condition not in known:
                raise BadInput(_("condition '{condition}' is not known (accepted: {accepted})").format(
                    condition=condition, accepted=", ".join(known)))
        values["conditions"] = tuple(sorted(set(changes.conditions)))
    if changes.language is not None:
        values["language"] = parse_language(changes.language)
    profile = dataclasses.replace(base, **values)
    check_sleep(profile.bedtime, profile.wake, profile.min_sleep_min)
    return profile


def check_sleep(bedtime: dt.time, wake: dt.time, min_sleep_min: int) -> None:
    sleep = nominal_sleep_minutes(bedtime, wake)
    if sleep < min_sleep_min:
        raise BadInput(_(
            "bedtime {bedtime} and wake time {wake} leave {hours} hours of sleep, less than the "
            "minimum of {minimum} hours: give an earlier bedtime or a later wake time").format(
                bedtime=short_time(bedtime), wake=short_time(wake), hours=decimal(f"{sleep / 60:g}"),
                minimum=decimal(f"{min_sleep_min / 60:g}")))


def describe_changes(old: Profile, new: Profile) -> str:
    parts = []
    for field in dataclasses.fields(Profile):
        before, after = getattr(old, field.name), getattr(new, field.name)
        if before != after:
            parts.append(f"{field.name}: {_show(before, field.name)} -> {_show(after, field.name)}")
    return "; ".join(parts)


def _show(value: object, field: str) -> str:
    if field == "language":
        return str(value) or "auto"  # as `profile set --language auto` gives it
    if isinstance(value, tuple):
        return ",".join(value) or "none"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


@dataclass(frozen=True)
class ProfileWarning:
    """A contraindication or caution that applies to the profile tonight, in the monograph's words."""

    contraindicated: bool  # else a caution
    text: str

    def __str__(self) -> str:
        """As `profile --json` keeps it, whatever the language: 'contraindicated: ...'."""
        return f"{'contraindicated' if self.contraindicated else 'caution'}: {self.text}"

    def words(self) -> str:
        """For people, in the chosen language."""
        said = _("contraindicated: {text}") if self.contraindicated else _("caution: {text}")
        return said.format(text=self.text)


def profile_warnings(profile: Profile, now: dt.datetime) -> list[ProfileWarning]:
    """Contraindications and cautions that apply tonight, in the monograph's words."""
    mono = monograph()
    night = tonight(profile, now)
    found = [ProfileWarning(True, r.text) for r in contraindications(mono, profile, night)]
    found += [ProfileWarning(False, r.text) for r in cautions(mono, profile, night)]
    return found


def init_profile(path: Location, now: dt.datetime, changes: ProfileChanges, default_zone: str, *,
                 add_patient: bool = False, clock: Clock = REAL_CLOCK) -> tuple[Profile, list[ProfileWarning], int]:
    """Create the database if needed and add a patient with this profile: the profile, its
    warnings, and how many patients the database holds now. A database made here under a
    fixed `clock` keeps that mark (see medtrack.clock); `now` is the moment it says.

    A database that already has a patient takes another only when asked (`add_patient`), and
    never a second one of the same name: a patient set up twice by mistake would split their
    history, and every command would then have to ask which one was meant."""
    if changes.name is None or changes.born is None:
        raise BadInput(_("a profile needs a name and a date of birth"),
                       hint="--name NAME --born YYYY-MM-DD")
    seed = Profile(name="-", born=dt.date(1970, 1, 1), zone=changes.zone or default_zone)
    profile = apply_changes(seed, dataclasses.replace(changes, zone=changes.zone or default_zone), now)
    db = Database(path, create=True, clock=clock)
    try:
        with db.unit_of_work(Work.WRITE_DATABASE) as repo:
            found = repo.patients()
            for patient in found:
                if patient.name is not None and same_name(patient.name, profile.name):
                    raise BadInput(_("{path} already has a profile for {name} (patient {number}): "
                                     "change it instead").format(path=path, name=patient.name, number=patient.id),
                                   hint=_("use: {command}").format(
                                       command=f"medtrack --patient {patient.id} profile set"))
            if found and not add_patient:
                names = ", ".join(p.name or "?" for p in found[:3]) + (", ..." if len(found) > 3 else "")
                raise BadInput(_("{path} already has a profile ({names}): change it instead, or add "
                                 "this one as another patient").format(path=path, names=names),
                               hint=_("medtrack profile set changes it; init --add-patient adds a patient"))
            repo.add_patient(at=now)
            repo.add_profile(profile, at=now, change="created")
    finally:
        db.dispose()
    return profile, profile_warnings(profile, now), len(found) + 1


def show_profile(db: Database) -> Profile:
    with db.unit_of_work(Work.READ) as repo:
        return require_profile(repo)


def set_profile(db: Database, now: dt.datetime, changes: ProfileChanges,
                pin: str | None = None) -> tuple[Profile, str, list[ProfileWarning]]:
    """Change the profile: a new version with what changed. Once a lock is set, a change that
    can loosen a limit (core.profile_change.loosened_limits) needs the prescriber's PIN."""
    with db.unit_of_work(Work.WRITE_PATIENT) as repo:
        old = require_profile(repo)
        new = apply_changes(old, changes, now)
        change = describe_changes(old, new)
        if not change:
            return old, "", profile_warnings(old, now)
        loosened = loosened_limits(old, new, monograph().liver_levels, tonight(old, now))
        if loosened:  # a change that only tightens needs no PIN
            require_pin(repo, pin, now, why="; ".join(loosened))
        repo.add_profile(new, at=now, change=change)
    return new, change, profile_warnings(new, now)


def language_words(setting: str) -> str:
    """A profile's language setting for a person: the language's own name ('Deutsch'), or,
    following the environment, which language that gives now."""
    if setting:
        return i18n.NAMES.get(setting, setting)
    return _("as the environment says ({language})").format(language=i18n.NAMES[i18n.from_environment()[0]])


def profile_json(profile: Profile, now: dt.datetime) -> dict[str, Any]:
    return {
        "name": profile.name,
        "born": profile.born.isoformat(),
        "age": profile.age_on(tonight(profile, now)),
        "zone": profile.zone,
        "bedtime": profile.bedtime.strftime("%H:%M"),
        "wake": profile.wake.strftime("%H:%M"),
        "min_sleep_hours": profile.min_sleep_min / 60,
        "liver": profile.liver,
        "renal": profile.renal,
        "pregnant": profile.pregnant,
        "breastfeeding": profile.breastfeeding,
        "conditions": list(profile.conditions),
        "language": profile.language,
        "warnings": [str(w) for w in profile_warnings(profile, now)],
    }
