"""The parsers of the taper plan and its calendar."""

from __future__ import annotations

from medtrack.cli.options import Parser, Subparsers, change_options, formulation_options, sub
from medtrack.i18n import _


def add_taper(subs: Subparsers) -> None:
    p = sub(subs, "taper", _("the doctor's taper plan: set, show, hold, step back, history"),
            "medtrack taper show", "taper_cmds:cmd_taper_show")
    p.add_argument("--days", metavar="N", help=_("what to dispense for the next N nights (default 28)"))
    p.add_argument("--json", action="store_true")
    tsubs = p.add_subparsers(title=_("actions"), metavar="ACTION", parser_class=Parser)

    s = sub(tsubs, "set", _("set the plan (a new version when one exists: needs --reason)"),
            "medtrack taper set --start 2026-12-01 --from 1mg --step 0.25mg --every 2w --prescriber 'Dr. Weiss'\n"
            "         medtrack taper set --start 2026-12-01 --from 1mg --step 10% --every 14d "
            "--prescriber 'Dr. Weiss'\n"
            "         medtrack taper set --steps '2026-12-01=1mg,2026-12-15=0.75mg,2027-01-05=0' "
            "--prescriber 'Dr. Weiss'",
            "taper_cmds:cmd_taper_set")
    s.add_argument("--start", metavar="DATE", help=_("first night of the plan"))
    s.add_argument("--from", dest="from_dose", metavar="D", help=_("the first step's dose"))
    s.add_argument("--step", metavar="D|P%", help=_("the cut per step: an amount (0.25mg) or a percentage (10%%)"))
    s.add_argument("--every", metavar="Nd|Nw", help=_("the length of each step, e.g. 14d or 2w"))
    s.add_argument("--to", metavar="D", help=_("the target (default 0: stopped)"))
    s.add_argument("--steps", metavar="DATE=D,...", help=_("explicit steps instead of a generator"))
    s.add_argument("--round", metavar="D", help=_("the dispensable unit (default 0.25 mg, or the "
                   "unit of the tablets or liquid)"))
    formulation_options(s)
    s.add_argument("--max-cut", metavar="P%", help=_("the largest cut per step, e.g. 10%%"))
    s.add_argument("--final-from", metavar="D", help=_("the largest dose the last stop to 0 is made from"))
    s.add_argument("--until", metavar="DATE", help=_("reach the target by this night: medtrack finds "
                   "the smallest even %% cut (instead of --step)"))
    s.add_argument("--trend-rise", metavar="N", help=_("tell the patient when the mean check-in total "
                   "since a step is N points above the step's baseline (default: the withdrawal data's)"))
    s.add_argument("--preview", action="store_true", help=_("show every step and the warnings; save nothing"))
    s.add_argument("--prescriber", required=True, metavar="NAME")
    s.add_argument("--pin")
    s.add_argument("--reason", metavar="TEXT", help=_("why (required for every change after the first plan)"))
    s.add_argument("--json", action="store_true")

    h = sub(tsubs, "hold", _("the current step lasts N more days; later steps move later"),
            "medtrack taper hold --days 7 --reason 'withdrawal symptoms'", "taper_cmds:cmd_taper_hold")
    h.add_argument("--days", required=True, metavar="N")
    change_options(h)

    b = sub(tsubs, "step-back", _("go back to the previous step's dose, then resume"),
            "medtrack taper step-back --reason 'could not sleep for a week'", "taper_cmds:cmd_taper_step_back")
    change_options(b)

    w = sub(tsubs, "show", _("the current plan: each step, how it is taken, the cuts, what to dispense"),
            "medtrack taper show --days 28 --json", "taper_cmds:cmd_taper_show")
    w.add_argument("--days", metavar="N", help=_("what to dispense for the next N nights (default 28)"))
    w.add_argument("--json", action="store_true")

    y = sub(tsubs, "history", _("every version of the plan, newest first"), "medtrack taper history --json",
            "taper_cmds:cmd_taper_history")
    y.add_argument("--json", action="store_true")


def add_calendar(subs: Subparsers) -> None:
    c = sub(subs, "calendar", _("a month of nights: scheduled dose and what happened"),
            "medtrack calendar --month 2026-12", "taper_cmds:cmd_calendar")
    c.add_argument("--month", metavar="YYYY-MM", help=_("default: this month"))
    c.add_argument("--json", action="store_true")
