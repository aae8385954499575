"""Commands of the taper: taper set/show/hold/step-back/history, and the calendar."""

from __future__ import annotations

import argparse

from medtrack.cli import Context
from medtrack.core.calendar import MARKS, STEP_MARK, legend
from medtrack.core.units import format_mg


def register(subs, sub) -> None:  # type: ignore[no-untyped-def]
    p = sub(subs, "taper", "the doctor's taper plan: set, show, hold, step back, history",
            "medtrack taper show", cmd_taper_show)
    p.add_argument("--days", metavar="N", help="what to dispense for the next N nights (default 28)")
    p.add_argument("--json", action="store_true")
    tsubs = p.add_subparsers(title="actions", metavar="ACTION", parser_class=type(p))

    s = sub(tsubs, "set", "set the plan (a new version when one exists: needs --reason)",
            "medtrack taper set --start 2026-12-01 --from 1mg --step 0.25mg --every 2w --prescriber 'Dr. Weiss'\n"
            "         medtrack taper set --start 2026-12-01 --from 1mg --step 10% --every 14d --prescriber 'Dr. Weiss'\n"
            "         medtrack taper set --steps '2026-12-01=1mg,2026-12-15=0.75mg,2027-01-05=0' --prescriber 'Dr. Weiss'",
            cmd_taper_set)
    s.add_argument("--start", metavar="DATE", help="first night of the plan")
    s.add_argument("--from", dest="from_dose", metavar="D", help="the first step's dose")
    s.add_argument("--step", metavar="D|P%", help="the cut per step: an amount (0.25mg) or a percentage (10%%)")
    s.add_argument("--every", metavar="Nd|Nw", help="the length of each step, e.g. 14d or 2w")
    s.add_argument("--to", metavar="D", help="the target (default 0: stopped)")
    s.add_argument("--steps", metavar="DATE=D,...", help="explicit steps instead of a generator")
    s.add_argument("--round", metavar="D", help="the dispensable unit (default 0.25 mg, or the "
                   "unit of the tablets or liquid)")
    formulation_options(s)
    s.add_argument("--max-cut", metavar="P%", help="the largest cut per step, e.g. 10%%")
    s.add_argument("--final-from", metavar="D", help="the largest dose the last stop to 0 is made from")
    s.add_argument("--until", metavar="DATE", help="reach the target by this night: medtrack finds "
                   "the smallest even %% cut (instead of --step)")
    s.add_argument("--preview", action="store_true", help="show every step and the warnings; save nothing")
    s.add_argument("--prescriber", required=True, metavar="NAME")
    s.add_argument("--pin")
    s.add_argument("--reason", metavar="TEXT", help="why (required for every change after the first plan)")
    s.add_argument("--json", action="store_true")

    h = sub(tsubs, "hold", "the current step lasts N more days; later steps move later",
            "medtrack taper hold --days 7 --reason 'withdrawal symptoms'", cmd_taper_hold)
    h.add_argument("--days", required=True, metavar="N")
    _change_options(h)

    b = sub(tsubs, "step-back", "go back to the previous step's dose, then resume",
            "medtrack taper step-back --reason 'could not sleep for a week'", cmd_taper_step_back)
    _change_options(b)

    w = sub(tsubs, "show", "the current plan: each step, how it is taken, the cuts, what to dispense",
            "medtrack taper show --days 28 --json", cmd_taper_show)
    w.add_argument("--days", metavar="N", help="what to dispense for the next N nights (default 28)")
    w.add_argument("--json", action="store_true")

    y = sub(tsubs, "history", "every version of the plan, newest first", "medtrack taper history --json",
            cmd_taper_history)
    y.add_argument("--json", action="store_true")

    c = sub(subs, "calendar", "a month of nights: scheduled dose and what happened",
            "medtrack calendar --month 2026-12", cmd_calendar)
    c.add_argument("--month", metavar="YYYY-MM", help="default: this month")
    c.add_argument("--json", action="store_true")


def _change_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--at", metavar="DATE", help="the night the change starts (default tonight)")
    p.add_argument("--prescriber", metavar="NAME", help="default: the plan's prescriber")
    p.add_argument("--pin")
    p.add_argument("--json", action="store_true")


def formulation_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tablet", action="append", metavar="STRENGTH[:SPLIT]",
                   help="a tablet strength and how it may be split: whole, half or quarter "
                        "(repeatable), e.g. --tablet 1mg:half --tablet 0.5mg:quarter")
    p.add_argument("--liquid", metavar="D/ml", help="an oral liquid's strength, e.g. 0.1mg/ml")
    p.add_argument("--measure", metavar="ML", help="the liquid's measuring step (default 0.1ml)")


def _print_steps(ctx: Context, rows) -> None:  # type: ignore[no-untyped-def]
    from medtrack.core.taper_preview import percent_text

    ctx.out(f"  {'#':>2}  {'from':10}  {'to':10}  {'nights':>6}  {'dose':>14}  {'cut':>16}  taken as")
    for r in rows:
        cut = (f"{format_mg(r.cut_ug)} ({percent_text(r.cut_percent)})"
               if r.cut_ug is not None and r.cut_percent is not None else "")
        dose = format_mg(r.dose_ug) if r.dose_ug else "0 mg (stopped)"
        ctx.out(f"  {r.number:>2}  {r.start}  {str(r.end or 'onwards'):10}  "
                f"{str(r.days or ''):>6}  {dose:>14}  {cut:>16}  {r.as_taken if r.dose_ug else ''}")


def _print_warnings(ctx: Context, warnings) -> None:  # type: ignore[no-untyped-def]
    if warnings:
        ctx.out("Warnings (advice for the prescriber; they do not block the plan):")
        for warning in warnings:
            ctx.out(f"  ! {warning}")


def _print_plan(ctx: Context, plan) -> None:  # type: ignore[no-untyped-def]
    from medtrack.core.taper_preview import preview

    ctx.out(f"Taper plan version {plan.version} by {plan.prescriber} ({plan.change}), in force "
            f"from {plan.start}; {plan.form.describe()}")
    _print_steps(ctx, preview(plan.steps, plan.form))


def cmd_taper_set(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.taper import PlanRequest, plan_json, preview_plan, set_plan

    request = PlanRequest(
        prescriber=args.prescriber, start=args.start, from_dose=args.from_dose, step=args.step,
        every=args.every, to=args.to, steps=args.steps, round=args.round, reason=args.reason,
        pin=args.pin, tablets=tuple(args.tablet or ()), liquid=args.liquid, measure=args.measure,
        max_cut=args.max_cut, final_from=args.final_from, until=args.until)
    if args.preview:
        draft = preview_plan(ctx.open_db(), request)
        if args.json:
            ctx.json(draft.to_json())
            return 0
        ctx.out(f"Preview (nothing saved): {draft.formulation.describe()}")
        if draft.solved_percent is not None:
            from medtrack.core.taper_preview import percent_text

            ctx.out(f"To end by {args.until}: a cut of {percent_text(draft.solved_percent)} per step.")
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
    from medtrack.services.taper import dispense, dispense_json

    shown = dispense(ctx.open_db(), ctx.now, getattr(args, "days", None))
    if shown is None:
        from medtrack.errors import BadInput

        raise BadInput("there is no taper plan yet: the prescriber sets one first",
                       hint="medtrack taper set")
    if args.json:
        ctx.json(dispense_json(shown))
        return 0
    _print_plan(ctx, shown.plan)
    form = shown.plan.form
    if not form.is_plain:
        ctx.out("To dispense per step (split tablets rounded up to whole ones):")
        for row, needed in shown.per_step:
            if needed is not None and row.dose_ug:
                ctx.out(f"  step {row.number} ({row.start} to {row.end}): {needed.text(form)}")
        ctx.out(f"For the next {shown.days} nights from {shown.first}: {shown.upcoming.text(form)}")
    _print_warnings(ctx, shown.plan.warnings)
    return 0


def _change(args: argparse.Namespace, ctx: Context, action: str) -> int:
    from medtrack.services.taper import change_plan, plan_json

    plan, notice = change_plan(ctx.open_db(), ctx.now, action, args.reason, args.at,
                               args.prescriber, args.pin, getattr(args, "days", None))
    if notice and not args.json:
        ctx.out(notice)
    if args.json:
        ctx.json(plan_json(plan))
    else:
        _print_plan(ctx, plan)
        _print_warnings(ctx, plan.warnings)
    return 0


def cmd_taper_hold(args: argparse.Namespace, ctx: Context) -> int:
    return _change(args, ctx, "hold")


def cmd_taper_step_back(args: argparse.Namespace, ctx: Context) -> int:
    return _change(args, ctx, "step-back")


def cmd_taper_history(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.taper import plan_versions, version_json

    versions = plan_versions(ctx.open_db())
    if args.json:
        ctx.json([version_json(v) for v in versions])
        return 0
    if not versions:
        ctx.out("No taper plan yet.")
    for plan in versions:
        _print_plan(ctx, plan)
        ctx.out(f"  changed {plan.created_at:%Y-%m-%d %H:%M} UTC; reason: {plan.reason or '-'}")
        _print_warnings(ctx, plan.warnings)
    return 0


def cmd_calendar(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.calendar import calendar_month

    month = calendar_month(ctx.open_db(), ctx.now, args.month)
    if args.json:
        ctx.json(month.to_json())
        return 0
    ctx.out(f"{month.label}   {legend(step=True)}")
    ctx.out("Each night: the day, its mark, and the dose scheduled (mg; - nothing)")
    ctx.out("Mon      Tue      Wed      Thu      Fri      Sat      Sun")
    cells = ["        "] * month.nights[0].night.weekday()
    for night in month.nights:
        dose = format_mg(night.scheduled_ug).replace(" mg", "") if night.scheduled_ug else "-"
        mark = MARKS[night.state].symbol + (STEP_MARK if night.step_change else " ")
        cells.append(f"{night.night.day:2d}{mark}{dose:<4}"[:8].ljust(8))
    for row in range(0, len(cells), 7):
        ctx.out(" ".join(cells[row:row + 7]).rstrip())
    summary = month.summary()
    average = format_mg(summary["average_ug"]) if summary["average_ug"] else "-"
    ctx.out(f"Nights taken {summary['taken']}, missed {summary['missed']}, skipped "
            f"{summary['skipped']}, excess {summary['excess']}; average dose taken {average}")
    taken_as = {n.scheduled_ug: n.as_taken for n in month.nights if n.as_taken and n.scheduled_ug}
    for dose, words in sorted(taken_as.items(), reverse=True):
        ctx.out(f"  {format_mg(dose)} is taken as {words}")
    if month.complete_since is not None:
        ctx.out(f"Taper complete: no flunitrazepam since the night of {month.complete_since}.")
    return 0
