"""The parsers of looking after the database and the stock: backup, restore, db, stock, and the
screen's own command."""

from __future__ import annotations

from medtrack.cli.options import Parser, Subparsers, sub
from medtrack.i18n import _


def add_backup(subs: Subparsers) -> None:
    p = sub(subs, "backup", _("write a consistent copy of the database (safe while medtrack runs)"),
            "medtrack backup ~/medtrack-2026-11-25.db", "admin_cmds:cmd_backup")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--force", action="store_true", help=_("replace an existing file"))


def add_restore(subs: Subparsers) -> None:
    p = sub(subs, "restore", _("replace the database with a checked backup (the old one is kept)"),
            "medtrack restore ~/medtrack-2026-11-25.db", "admin_cmds:cmd_restore")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--pin", help=_("the prescriber's PIN, when the database has a prescriber lock"))


def add_db(subs: Subparsers) -> None:
    p = sub(subs, "db", _("look after the database's schema"), "medtrack db upgrade", None)
    dsubs = p.add_subparsers(title=_("actions"), metavar="ACTION", parser_class=Parser, required=True)
    sub(dsubs, "upgrade", _("apply the schema migrations (a SQLite file, or an empty or older "
         "PostgreSQL database); opening a database does this too"),
         "medtrack --db postgresql+psycopg://ward@/medtrack?host=/run/postgresql db upgrade",
         "admin_cmds:cmd_db_upgrade")
    r = sub(dsubs, "roles", _("print (or apply) the PostgreSQL roles and GRANTs for a ward: "
             "nurses record doses, skips, voids and symptoms; prescribers also change prescriptions "
             "and plans; nobody may change or delete a record"),
             "medtrack --db postgresql+psycopg://owner@/medtrack?host=/run/postgresql db roles --apply",
             "ward_cmds:cmd_db_roles")
    r.add_argument("--apply", action="store_true", help=_("run the statements on the database (as its owner)"))
    c = sub(dsubs, "copy", _("copy whole patients (every version, record, void, symptom, check-in, "
             "stock entry and lock, with who entered each) from one database to another; refused "
             "when the target already holds one of them"),
             "medtrack db copy ~/medtrack.db postgresql+psycopg://medtrack_owner@/ward?host=/run/postgresql "
             "--patient 'Ada Muster'", "admin_cmds:cmd_db_copy")
    c.epilog = _("SOURCE and TARGET are SQLite files or PostgreSQL URLs; a new file is made for a TARGET\n"
                 "that does not exist. Without --patient every patient is copied, each in one\n"
                 "transaction. Into a ward's PostgreSQL, run it as the owner of the ward's schema: it\n"
                 "keeps who entered each row and when, which the server stamps for everyone else.")
    c.add_argument("source", metavar="SOURCE")
    c.add_argument("target", metavar="TARGET")


def add_stock(subs: Subparsers) -> None:
    p = sub(subs, "stock", _("the stock of tablets or liquid: how much is left and how long it lasts"),
            "medtrack stock --json", "stock_cmds:cmd_stock")
    p.add_argument("--json", action="store_true")
    ssubs = p.add_subparsers(title=_("actions"), metavar="ACTION", parser_class=Parser)
    a = sub(ssubs, "add", _("tablets or liquid received"),
            "medtrack stock add 30x1mg --note 'pharmacy'", "stock_cmds:cmd_stock_add")
    a.add_argument("quantity", metavar="COUNTxSTRENGTH|ML", help=_("e.g. 30x1mg, 12.5x0.5mg or 100ml"))
    a.add_argument("--note", metavar="TEXT")
    c = sub(ssubs, "count", _("what a count by the patient or a carer found (kept; flagged when off)"),
            "medtrack stock count 12x1mg", "stock_cmds:cmd_stock_count")
    c.add_argument("quantity", metavar="COUNTxSTRENGTH|ML", help=_("e.g. 12x1mg or 40ml"))
    c.add_argument("--note", metavar="TEXT")


def add_tui(subs: Subparsers) -> None:
    sub(subs, "tui", _("open the screen (the same as no command)"), "medtrack tui", None)


def add_remind(subs: Subparsers) -> None:
    p = sub(subs, "remind", _("bedtime reminders on the desktop: a notification when tonight's dose is "
            "due, never once it is recorded or too late"), "medtrack remind --install", "remind_cmds:cmd_remind")
    p.epilog = _("Each run asks the night's rules, as the screen does: a reminder is shown only while the\n"
                 "dose is due, once a night (again each --repeat), and closed once the dose is recorded or\n"
                 "the latest time has passed. It records nothing: its button opens the screen.\n"
                 "--install makes a systemd user timer that runs `remind --now --wait` every 5 minutes;\n"
                 "bedtime, time-zone and plan changes need no new install.")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--now", action="store_true", help=_("show, replace or close tonight's reminder now"))
    what.add_argument("--install", action="store_true", help=_("install and start the systemd user timer"))
    what.add_argument("--print", dest="print_units", action="store_true",
                      help=_("show the timer and service (and a crontab line) without installing them"))
    what.add_argument("--uninstall", action="store_true", help=_("stop and remove the timer and service"))
    p.add_argument("--repeat", metavar="EVERY", help=(
        _("show the reminder again this often until the dose is recorded or the latest time passes "
        "(e.g. 10m, 1h; from 5 minutes to 6 hours; default: once a night)")))
    p.add_argument("--wait", action="store_true", help=(
        _("with --now: give the reminder an 'Open medtrack' button and stay to answer it (the timer "
        "runs it so)")))
