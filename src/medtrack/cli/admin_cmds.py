"""Commands that look after the file itself: backup and restore."""

from __future__ import annotations

import argparse

from medtrack.cli import Context


def register(subs, sub) -> None:  # type: ignore[no-untyped-def]
    p = sub(subs, "backup", "write a consistent copy of the database (safe while medtrack runs)",
            "medtrack backup ~/medtrack-2026-11-25.db", cmd_backup)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace an existing file")

    p = sub(subs, "restore", "replace the database with a checked backup (the old one is kept)",
            "medtrack restore ~/medtrack-2026-11-25.db", cmd_restore)
    p.add_argument("file", metavar="FILE")


def cmd_backup(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.backups import backup

    path = backup(ctx.db_path, args.file, args.force)
    ctx.out(f"Backup written: {path.absolute()}")
    return 0


def cmd_restore(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.backups import restore

    kept = restore(ctx.db_path, args.file)
    ctx.out(f"Restored {ctx.db_path} from {args.file}. The replaced database is kept as {kept}.")
    return 0
