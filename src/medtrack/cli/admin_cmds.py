"""Commands that look after the database itself: backup, restore and the schema."""

from __future__ import annotations

import argparse

from medtrack.cli.context import Context, location_argument
from medtrack.i18n import _
from medtrack.services.backups import backup, restore
from medtrack.services.database import upgrade_database


def cmd_backup(args: argparse.Namespace, ctx: Context) -> int:
    path = backup(ctx.db_path, args.file, force=args.force, clock=ctx.clock)
    ctx.out(_("Backup written: {path}").format(path=path.absolute()))
    return 0


def cmd_restore(args: argparse.Namespace, ctx: Context) -> int:
    kept = restore(ctx.db_path, args.file, args.pin, ctx.now, clock=ctx.clock)
    ctx.out(_("Restored {db} from {file}. The replaced database is kept as {kept}.").format(
        db=ctx.db_path, file=args.file, kept=kept))
    return 0


def cmd_db_upgrade(args: argparse.Namespace, ctx: Context) -> int:
    before, now = upgrade_database(ctx.db_path, ctx.clock)
    if before == now:
        ctx.out(_("The schema of {db} is up to date (version {version}).").format(db=ctx.db_path, version=now))
    else:
        ctx.out(_("The schema of {db} was upgraded from version {before} to {version}.").format(
            db=ctx.db_path, before=before, version=now))
    return 0


def cmd_db_copy(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.copying import copy_patients  # the database library: this command only

    source, target = location_argument(args.source, "SOURCE"), location_argument(args.target, "TARGET")
    for copied in copy_patients(source, target, ctx.patient, clock=ctx.clock):
        ctx.out(_("Copied {name} ({rows} rows) into {target} as patient {number}.").format(
            name=copied.name, rows=copied.rows, target=target, number=copied.number))
    return 0
