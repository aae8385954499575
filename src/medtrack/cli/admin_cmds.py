"""Commands that look after the file itself: backup and restore."""

from __future__ import annotations

import argparse

from medtrack.cli import Context
from medtrack.services.backups import backup, restore


def cmd_backup(args: argparse.Namespace, ctx: Context) -> int:
    path = backup(ctx.db_path, args.file, args.force)
    ctx.out(f"Backup written: {path.absolute()}")
    return 0


def cmd_restore(args: argparse.Namespace, ctx: Context) -> int:
    kept = restore(ctx.db_path, args.file)
    ctx.out(f"Restored {ctx.db_path} from {args.file}. The replaced database is kept as {kept}.")
    return 0
