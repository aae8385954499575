"""Commands of the taper: taper set/show/hold/step-back/history, and the calendar."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence

from medtrack.cli.context import Context
from medtrack.core.calendar import MARKS, STEP_MARK, legend
from medtrack.core.model import PlanWarning, Regimen
from medtrack.core.taper import change_words
from medtrack.core.taper_preview import PreviewStep, preview
from medtrack.core.units import format_mg
from medtrack.i18n import N_, _, date_time, decimal, medium_date
from medtrack.services.calendar import calendar_month
from medtrack.services.taper import (
    PlanAction,
    PlanChange,
    PlanRequest,
    change_plan,
    dispense,
    dispense_json,
    no_plan_json,
    plan_history,
    plan_json,
    preview_plan,
    set_plan,
    tonight_in_plan,
    version_json,
)
from medtrack.services.text import cell_width, pad

CELL = 9  # a calendar cell: the day, its mark, the step mark and a dose of up to 5 characters (0.625)
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


# The step table's columns: the header, the least width in terminal cells, right-aligned or not.
STEP_COLUMNS = ((N_("from"), 10, False), (N_("to"), 10, False), (N_("nights"), 6, True), (N_("dose"), 14, True),
                (N_("cut"), 16, True))


def _print_steps(ctx: Context, rows: Sequence[PreviewStep]) -> None:
    table = [[medium_date(r.start), medium_date(r.end) if r.end else _("onwards"), str(r.days or ""),
              format_mg(r.dose_ug) if r.dose_ug else _("0 mg (stopped)"), r.change_text()] for r in rows]
    # Each column as wide as its widest cell (a longer word in German, two cells a character in
    # Japanese), so the columns stay aligned in every language.
    widths = [max(least, cell_width(_(header)), *(cell_width(row[i]) for row in table))
              for i, (header, least, _right) in enumerate(STEP_COLUMNS)]

    def line(number: str, cells: Sequence[str], taken_as: str) -> str:
        shown = "  ".join(pad(text, width, right=right)
                          for text, width, (_header, _least, right) in zip(cells, widths, STEP_COLUMNS, strict=True))
        return f"  {number:>2}  {shown}  {taken_as}"

    ctx.out(line("#", [_(header) for header, _least, _right in STEP_COLUMNS], _("taken as")))
    for r, cells in zip(rows, table, strict=True):
        ctx.out(line(str(r.number), cells, r.as_taken if r.dose_ug else ""))


def _print_warnings(ctx: Context, warnings: Sequence[PlanWarning]) -> None:
    if warnings:
        ctx.out(_("Warnings (advice for the prescriber; they do not block the plan):"))
        for warning in warnings:
            ctx.out(f"  ! {warning.text}")


def _print_plan(ctx: Context, plan: Regimen) -> None:
    ctx.out(_("Taper plan version {version} by {prescriber} ({change}), in force from {night}; {form}").format(
        version=plan.version, prescriber=plan.prescriber, change=change_words(plan.change),
        night=medium_date(plan.start), form=plan.form.describe()))
    _print_steps(ctx, preview(plan.steps, plan.form))


def cmd_taper_set(args: argparse.Namespace, ctx: Context) -> int:
    request = PlanRequest(
        prescriber=args.prescriber, start=args.start, from_dose=args.from_dose, step=args.step,
        every=args.every, to=args.to, steps=args.steps, round=args.round, reason=args.reason,
        pin=args.pin, tablets=tuple(args.tablet or ()), liquid=args.liquid, measure=args.measure,
        max_cut=args.max_cut, final_from=args.final_from, until=args.until,
        trend_rise=args.trend_rise)
    if args.preview:
        draft = preview_plan(ctx.open_db(), request)
        if args.json:
            ctx.json(draft.to_json())
            return 0
        ctx.out(_("Preview (nothing saved): {form}").format(form=draft.formulation.describe()))
        solved = draft.solved_words()
        if solved is not None:
            ctx.out(solved)
        _print_steps(ctx, draft.rows)
        _print_warnings(ctx, draft.warnings)
        return 0
    plan = set_plan(ctx.open_db(), ctx.now, request)
    if args.json:
        ctx.json(plan_json(plan))
    else:
        _print_plan(ctx, plan)
        _print_warnings(ctx, plan.warnings)
    return 0


def cmd_taper_show(args: argparse.Namespace, ctx: Context) -> int:
    db = ctx.open_db()  # opened once: each open checks the schema and reads the language
    shown = dispense(db, ctx.now, getattr(args, "days", None))
    if shown is None:  # like `taper history`: no plan is an answer, not an error
        if args.json:
            ctx.json(no_plan_json())
        else:
            ctx.out(_("No taper plan yet; the prescriber sets one with medtrack taper set."))
        return 0
    tonight = tonight_in_plan(db, ctx.now)
    if args.json:
        ctx.json({**dispense_json(shown), "tonight": tonight})
        return 0
    _print_plan(ctx, shown.plan)
    if shown.takeover is not None:
        ctx.out(shown.takeover.words())
    following = tonight["next_change"]
    night, dose = _night(tonight["night"]), decimal(str(tonight["scheduled_mg"] or 0))
    if tonight["in_force"] == "plan":
        said = _("Tonight ({night}): {dose} mg scheduled under version {version}").format(
            night=night, dose=dose, version=tonight["version_in_force"])
    else:
        said = _("Tonight ({night}): {dose} mg scheduled").format(night=night, dose=dose)
    if following:
        said += _("; next change: {dose} mg from the night of {night}.").format(
            dose=decimal(str(following["dose_mg"])), night=_night(following["night"]))
    else:
        said += _("; no change ahead.")
    ctx.out(said)
    form = shown.plan.form
    if not form.is_plain:
        ctx.out(_("To dispense per step (split tablets rounded up to whole ones):"))
        for row, needed in shown.per_step:
            if needed is not None and row.dose_ug:
                said = (_("  step {number} ({first} to {last}): {needed}") if row.end else
                        _("  step {number} ({first} onwards): {needed}"))  # the last step has no end
                ctx.out(said.format(number=row.number, first=medium_date(row.start),
                                    last=medium_date(row.end) if row.end else "", needed=needed.text(form)))
        ctx.out(_("For the next {days} nights from {night}: {needed}").format(
            days=shown.days, night=medium_date(shown.first), needed=shown.upcoming.text(form)))
    _print_warnings(ctx, shown.plan.warnings)
    return 0


def _night(iso: str) -> str:
    """A night as `tonight_in_plan` gives it (ISO, for JSON), for people."""
    return medium_date(dt.date.fromisoformat(iso))


def _change(args: argparse.Namespace, ctx: Context, action: PlanAction) -> int:
    plan, notice = change_plan(ctx.open_db(), ctx.now, PlanChange(
        action=action, reason=args.reason, at=args.at, prescriber=args.prescriber, pin=args.pin,
        days=getattr(args, "days", None)))
    if notice and not args.json:
        ctx.out(notice)
    if args.json:
        ctx.json(plan_json(plan))
    else:
        _print_plan(ctx, plan)
        _print_warnings(ctx, plan.warnings)
    return 0


def cmd_taper_hold(args: argparse.Namespace, ctx: Context) -> int:
    return _change(args, ctx, PlanAction.HOLD)


def cmd_taper_step_back(args: argparse.Namespace, ctx: Context) -> int:
    return _change(args, ctx, PlanAction.STEP_BACK)


def cmd_taper_history(args: argparse.Namespace, ctx: Context) -> int:
    versions, takeovers = plan_history(ctx.open_db())
    if args.json:
        ctx.json([version_json(v, takeovers.get(v.id)) for v in versions])
        return 0
    if not versions:
        ctx.out(_("No taper plan yet."))
    for plan in versions:
        _print_plan(ctx, plan)
        takeover = takeovers.get(plan.id)
        if takeover is not None:
            ctx.out("  " + takeover.words())
        changed = plan.created_at
        ctx.out(_("  changed {when} UTC; reason: {reason}").format(
            when=date_time(changed), reason=plan.reason or "-"))
        _print_warnings(ctx, plan.warnings)
    return 0


def cmd_calendar(args: argparse.Namespace, ctx: Context) -> int:
    month = calendar_month(ctx.open_db(), ctx.now, args.month)
    if args.json:
        ctx.json(month.to_json())
        return 0
    ctx.out(f"{month.label}   {legend(step=True)}")
    ctx.out(_("Each night: the day, its mark, and the dose scheduled (mg; - nothing)"))
    ctx.out(" ".join(pad(_(day), CELL) for day in WEEKDAYS).rstrip())
    cells = [" " * CELL] * month.nights[0].night.weekday()
    for night in month.nights:
        dose = format_mg(night.scheduled_ug).replace(" mg", "") if night.scheduled_ug else "-"
        mark = MARKS[night.state].symbol + (STEP_MARK if night.step_change else " ")
        cells.append(f"{night.night.day:2d}{mark}{dose:<5}")
    for row in range(0, len(cells), 7):
        ctx.out(" ".join(cells[row:row + 7]).rstrip())
    summary = month.summary()
    average = format_mg(summary["average_ug"]) if summary["average_ug"] else "-"
    ctx.out(_("Nights taken {taken}, missed {missed}, skipped {skipped}, excess {excess}; average dose "
              "taken {average}").format(taken=summary["taken"], missed=summary["missed"],
                                        skipped=summary["skipped"], excess=summary["excess"], average=average))
    taken_as = {n.scheduled_ug: n.as_taken for n in month.nights if n.as_taken and n.scheduled_ug}
    for scheduled, words in sorted(taken_as.items(), reverse=True):
        ctx.out(_("  {dose} is taken as {words}").format(dose=format_mg(scheduled), words=words))
    if month.completion is not None:
        ctx.out(month.completion.words("flunitrazepam"))
    return 0
