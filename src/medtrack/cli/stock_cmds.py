"""Commands of the stock: what was received, what a count found, how long it lasts."""

from __future__ import annotations

import argparse

from medtrack.cli.context import Context
from medtrack.i18n import _, decimal
from medtrack.services.stock import add_stock, amount_text, count_stock, show_stock


def cmd_stock(args: argparse.Namespace, ctx: Context) -> int:
    report = show_stock(ctx.open_db(), ctx.now)
    if args.json:
        ctx.json(report.to_json() if report else {"levels": [], "nights_left": None,
                                                  "lasts_to_the_end_of_the_plan": False,
                                                  "flagged_counts": []})
        return 0
    if report is None:
        ctx.out(_("No stock recorded yet: add what you received, e.g. medtrack stock add 30x1mg"))
        return 0
    for line in report.lines():
        ctx.out(line)
    return 0


def cmd_stock_add(args: argparse.Namespace, ctx: Context) -> int:
    entry = add_stock(ctx.open_db(), ctx.now, args.quantity, args.note)
    ctx.out(_("Stock added: {amount} (entry #{id}).").format(amount=amount_text(entry.key, entry.amount), id=entry.id))
    return 0


def cmd_stock_count(args: argparse.Namespace, ctx: Context) -> int:
    counted = count_stock(ctx.open_db(), ctx.now, args.quantity, args.note)
    entry = counted.entry
    ctx.out(_("Count recorded: {amount} (entry #{id}); {expected}.").format(
        amount=amount_text(entry.key, entry.amount), id=entry.id, expected=counted.expected_words))
    if entry.flagged and entry.expected is not None:
        limit = decimal("0.5") + " ml" if entry.key[0] == "liquid" else _("half a tablet")
        ctx.out(_("! This differs from the {expected} expected by more than {limit}. It is kept and shown "
                  "to your prescriber; tell them or your pharmacist.").format(
                      expected=amount_text(entry.key, entry.expected), limit=limit))
    return 0
