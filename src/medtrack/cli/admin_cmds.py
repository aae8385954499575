"""Commands that look after the database itself: backup, restore and the schema."""

from __future__ import annotations

import argparse

from medtrack.cli.context import Context, location_argument
from medtrack.services.backups import backup, restore
from medtrack.services.database import upgrade_database


def cmd_backup(args: argparse.Namespace, ctx: Context) -> int:
    path = backup(ctx.db_path, args.file, force=args.force, clock=ctx.clock)
    ctx.out(f"Backup written: {path.absolute()}")
    return 0


def cmd_restore(args: argparse.Namespace, ctx: Context) -> int:
    kept = restore(ctx.db_path, args.file, args.pin, ctx.now, clock=ctx.clock)
    ctx.out(f"Restored {ctx.db_path} from {args.file}. The replaced database is kept as {kept}.")
    return 0


def cmd_db_upgrade(args: argparse.Namespace, ctx: Context) -> int:
    before, now = upgrade_database(ctx.db_path, ctx.clock)
    if before == now:
        ctx.out(f"The schema of {ctx.db_path} is up to date (version {now}).")
    else:
        ctx.out(f"The schema of {ctx.db_path} was upgraded from version {before} to {now}.")
    return 0


def cmd_db_copy(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.copying import copy_patients  # the database library: this command only

    source, target = location_argument(args.source, "SOURCE"), location_argument(args.target, "TARGET")
    for copied in copy_patients(source, target, ctx.patient, clock=ctx.clock):
        ctx.out(f"Copied {copied.name} ({copied.rows} rows) into {target} as patient {copied.number}.")
    return 0
