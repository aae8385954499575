"""The withdrawal check-in commands: `checkin` and `checkins`."""

from __future__ import annotations

import argparse

from medtrack.cli.context import Context
from medtrack.core.model import NOT_KNOWN
from medtrack.errors import BadInput
from medtrack.i18n import _, decimal, medium_date
from medtrack.services.checkin import (
    checkin_json,
    items,
    list_checkins,
    rating_words,
    record_checkin,
    trend_json,
    void_checkin,
)
from medtrack.services.text import one_line


def cmd_checkin(args: argparse.Namespace, ctx: Context) -> int:
    if args.void is not None:
        if args.ratings or args.all_none:
            raise BadInput(_("--void cancels a check-in: give no ratings with it"))
        voided = void_checkin(ctx.open_db(), ctx.now, args.void, args.reason)
        if args.json:
            ctx.json(checkin_json(voided))
        else:
            ctx.out(_("Check-in #{id} voided ({reason}); it stays in the history, marked.").format(
                id=voided.id, reason=one_line(voided.void_reason or "")))
        return 0
    if args.reason is not None:
        raise BadInput(_("--reason goes with --void ID"))
    made, trend = record_checkin(ctx.open_db(), ctx.now, args.ratings, args.note, all_none=args.all_none)
    if args.json:
        ctx.json({**checkin_json(made), "trend": trend_json(trend) if trend else None})
        return 0
    rated = [f"{name} {rating_words(r)}" for name, r in made.ratings if r]
    ctx.out(_("Check-in #{id} for the night of {night}: {rated} (total {total}).").format(
        id=made.id, night=medium_date(made.night), rated=", ".join(rated) if rated else _("no symptoms"),
        total=made.total))
    if trend is not None:
        ctx.out(trend.words())
    return 0


def cmd_checkins(args: argparse.Namespace, ctx: Context) -> int:
    if args.items:
        listed = items()
        if args.json:
            ctx.json([{"id": i.id, "name": i.name, "description": i.description} for i in listed])
        else:
            for i in listed:
                ctx.out(f"{i.id:<14} {i.name}: {i.description}")
            ctx.out(_("Rate each 0 none, 1 mild, 2 moderate, 3 severe, e.g. medtrack checkin anxiety=2"))
        return 0
    found = list_checkins(ctx.open_db(), args.first, args.last)
    if args.json:
        ctx.json([checkin_json(c) for c in found])
        return 0
    if not found:
        ctx.out(_("No check-ins in that period."))
    for c in found:
        rated = ", ".join(f"{name} {r}" for name, r in c.ratings if r) or _("no symptoms")
        step = (_(", step {dose} mg from {night}").format(dose=decimal(f"{c.step_ug / 1000:g}"),
                                                         night=medium_date(c.step_night))
                if c.step_night and c.step_ug is not None else "")
        by = _(", by {who}").format(who=one_line(c.recorded_by) if c.recorded_by else f"({_(NOT_KNOWN)})")
        void = _("  VOIDED ({reason})").format(reason=one_line(c.void_reason or "")) if c.voided else ""
        ctx.out(_("#{id} night of {night}: total {total} ({rated}){step}{by}{void}").format(
            id=c.id, night=medium_date(c.night), total=c.total, rated=rated, step=step, by=by, void=void))
    return 0
