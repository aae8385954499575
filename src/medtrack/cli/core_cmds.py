"""Commands of the core: init, profile, prescribe, log, skip, status, history, void, lock.

Each command imports the services it calls when it runs: `status` and `log`, what a patient
runs every night, load no other command's modules (a few milliseconds of each start-up)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from medtrack.cli.context import Context
from medtrack.core.model import NOT_KNOWN, DoseEntry, Record
from medtrack.core.parse import parse_positive_int
from medtrack.core.units import format_mg
from medtrack.i18n import _, date_time, decimal, medium_date, short_time
from medtrack.services.text import one_line, record_json

if TYPE_CHECKING:
    from medtrack.services.profile import ProfileChanges


def _changes(args: argparse.Namespace) -> ProfileChanges:
    from medtrack.services.profile import ProfileChanges

    conditions = tuple(args.condition) if args.condition else None
    if getattr(args, "no_conditions", False):
        conditions = ()
    return ProfileChanges(name=args.name, born=args.born, zone=args.tz, bedtime=args.bedtime,
                          wake=args.wake, liver=args.liver, renal=args.renal, pregnant=args.pregnant,
                          breastfeeding=args.breastfeeding, conditions=conditions,
                          language=args.language)


def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.profile import init_profile, system_zone

    profile, warnings, count = init_profile(ctx.db_path, ctx.now, _changes(args), system_zone(),
                                            add_patient=args.add_patient, clock=ctx.clock)
    ctx.out(_("Profile created for {name} in {db} (zone {zone}, bedtime {bedtime}, wake {wake}).").format(
        name=profile.name, db=ctx.db_path, zone=profile.zone, bedtime=short_time(profile.bedtime),
        wake=short_time(profile.wake)))
    if count > 1:
        ctx.out(_("This database now holds {count} patients: choose one with --patient NAME or "
                  "NUMBER (medtrack patients lists them).").format(count=count))
    for warning in warnings:
        ctx.out(_("Warning: {warning}").format(warning=warning.words()))
    if any(w.contraindicated for w in warnings):
        ctx.out(_("Flunitrazepam cannot be prescribed for this profile unless the prescriber "
                  "acknowledges the contraindication."))
    else:
        ctx.out(_("Next: the prescriber sets the dose, e.g. medtrack prescribe --dose 1mg --prescriber NAME"))
    return 0


def cmd_profile(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.profile import language_words, profile_json, profile_warnings, show_profile

    profile = show_profile(ctx.open_db())
    data = profile_json(profile, ctx.now)
    if args.json:
        ctx.json(data)
        return 0
    ctx.out(_("{name}, born {born} (age {age}), zone {zone}").format(
        name=profile.name, born=medium_date(profile.born), age=data["age"], zone=profile.zone))
    ctx.out(_("Bedtime {bedtime}, wake {wake}, minimum sleep {hours} h").format(
        bedtime=short_time(profile.bedtime), wake=short_time(profile.wake),
        hours=decimal(f"{profile.min_sleep_min / 60:g}")))
    ctx.out(_("Liver: {liver}; renal impairment: {renal}; pregnant: {pregnant}; breastfeeding: "
              "{breastfeeding}").format(liver=profile.liver, renal=_yes_no(profile.renal),
                                         pregnant=_yes_no(profile.pregnant),
                                         breastfeeding=_yes_no(profile.breastfeeding)))
    ctx.out(_("Conditions: {conditions}").format(conditions=", ".join(profile.conditions) or _("none")))
    ctx.out(_("Language: {language}").format(language=language_words(profile.language)))
    for warning in profile_warnings(profile, ctx.now):
        ctx.out(_("Warning: {warning}").format(warning=warning.words()))
    return 0


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def cmd_profile_set(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.profile import set_profile

    change, warnings = set_profile(ctx.open_db(), ctx.now, _changes(args), args.pin)[1:]
    ctx.out(_("Profile changed: {change}.").format(change=change) if change else _("Nothing to change."))
    for warning in warnings:
        ctx.out(_("Warning: {warning}").format(warning=warning.words()))
    return 0


def cmd_prescribe(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.prescribing import PrescriptionRequest, prescribe

    regimen, notice = prescribe(ctx.open_db(), ctx.now, PrescriptionRequest(
        dose=args.dose, prescriber=args.prescriber, start=args.start, min_sleep=args.min_sleep,
        acknowledge=args.acknowledge_contraindication, pin=args.pin,
        tablets=tuple(args.tablet or ()), liquid=args.liquid, measure=args.measure))
    if notice:
        ctx.out(notice)
    dose = regimen.steps[0].dose_ug
    if regimen.formulation:
        said = _("Prescribed by {prescriber}: {dose} ({taken}) at bedtime from the night of {night}.")
    else:
        said = _("Prescribed by {prescriber}: {dose} at bedtime from the night of {night}.")
    ctx.out(said.format(prescriber=regimen.prescriber, dose=format_mg(dose), night=medium_date(regimen.start),
                        taken=regimen.formulation.as_taken(dose) if regimen.formulation else ""))
    if regimen.acknowledged:
        ctx.out(_("Contraindication acknowledged: {text}").format(text=regimen.acknowledged))
    return 0


def _describe(record: Record, *, recorder: bool = False) -> str:
    when = f"{date_time(record.at)} {record.at:%Z}"
    if record.kind == "skip":
        text = _("#{id} night {night}: skipped (recorded {when})").format(
            id=record.id, night=medium_date(record.night), when=when)
    else:
        text = _("#{id} night {night}: {dose} at {when}").format(
            id=record.id, night=medium_date(record.night), dose=format_mg(record.dose_ug or 0), when=when)
    if recorder:
        who = one_line(record.recorded_by) if record.recorded_by else f"({_(NOT_KNOWN)})"
        text += _(", by {who}").format(who=who)
    flags = [one_line(flag) for flag in record.flags()]
    if flags:
        text += " [" + "; ".join(flags) + "]"
    if record.note:
        text += f" - {one_line(record.note)}"
    return text


def cmd_log(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services import dosing

    entry = DoseEntry.ALREADY_TAKEN if args.already_taken else DoseEntry.TO_TAKE
    logged = dosing.record_dose(ctx.open_db(), ctx.now, dosing.DoseRequest(
        dose=args.dose, at=args.at, note=args.note, entry=entry))
    record = logged.record
    if args.json:
        ctx.json(record_json(record))
        return 0
    said = _("Recorded as already taken: {record}") if record.already_taken else _("Dose recorded: {record}")
    ctx.out(said.format(record=_describe(record)))
    ctx.out(logged.advice)
    return 0


def cmd_skip(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services import dosing

    record = dosing.skip_night(ctx.open_db(), ctx.now, args.night, args.note)
    if args.json:
        ctx.json(record_json(record))
    else:
        ctx.out(_("Skip recorded: {record}").format(record=_describe(record)))
        ctx.out(_("Take the next dose at the usual time; never take two to make up."))
    return 0


def cmd_status(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.core.calendar import night_state_words
    from medtrack.services.health import check_database
    from medtrack.services.status import status

    db = ctx.open_db()
    report = status(db, ctx.now, args.at)
    health = check_database(db)  # after the read: a database that cannot be read fails above
    if args.json:
        ctx.json({**report.to_json(), "database": health.to_json(report)})
        return 0
    if not health.writable:  # first, and no invitation to a dose that cannot be recorded
        ctx.out(_("! Warning: {message}").format(message=health.message))
        if health.hint:
            ctx.out(_("  To fix it: {hint}.").format(hint=health.hint))
    ctx.out(_("Night of {night}: {drug} {headline}").format(night=medium_date(report.night), drug=report.drug,
                                                             headline=report.headline))
    if report.dose_change:
        ctx.out(report.dose_change)
    ctx.out(report.guidance if health.writable else health.what_to_do(report))
    if report.state == "no_prescription":
        ctx.out(_("Enter it with: medtrack prescribe --dose D --prescriber NAME"))
    if report.window_line:
        ctx.out(report.window_line)
    before = _("The night before") if report.decision.morning else _("Last night")
    ctx.out(_("{before}: {outcome}").format(before=before, outcome=night_state_words(report.previous_night)))
    for warning in report.warnings:
        ctx.out(_("! {warning}").format(warning=warning))
    for line in report.stock.lines() if report.stock else ():
        ctx.out(line)
    return 0


def cmd_history(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services import dosing

    records = dosing.history(ctx.open_db(), args.first, args.last)
    if args.json:
        ctx.json([record_json(r) for r in records])
        return 0
    if not records:
        ctx.out(_("No records in that period."))
    for record in records:
        ctx.out(_describe(record, recorder=True))
    return 0


def cmd_void(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services import dosing

    record_id = parse_positive_int(args.id, what=_("record id"), maximum=2**62)
    void = dosing.void_record(ctx.open_db(), ctx.now, record_id, args.reason, not_taken=args.not_taken)
    if void.not_taken:
        said = _("Record #{id} is void as not taken (void record #{void}): {note}")
    else:
        said = _("Record #{id} is void (void record #{void}): {note}")
    ctx.out(said.format(id=record_id, void=void.id, note=void.note))
    return 0


def cmd_lock(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.lock import set_lock

    set_lock(ctx.open_db(), ctx.now, args.pin, args.old_pin)
    ctx.out(_("Prescriber lock set: changes to the prescription, the plan and the limits need the PIN."))
    return 0
