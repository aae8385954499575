"""Commands that look after the database itself: backup, restore and the schema."""

from __future__ import annotations

import argparse

from medtrack.cli import Context
from medtrack.services.backups import backup, restore
from medtrack.services.database import upgrade_database


def cmd_backup(args: argparse.Namespace, ctx: Context) -> int:
    path = backup(ctx.db_path, args.file, args.force, clock=ctx.clock)
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
