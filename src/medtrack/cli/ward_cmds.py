"""Commands for a database shared by several patients: the list of patients, the ward's roles."""

from __future__ import annotations

import argparse

from medtrack.cli.context import Context
from medtrack.i18n import _
from medtrack.services.text import cell_width, pad


def cmd_patients(args: argparse.Namespace, ctx: Context) -> int:
    found = ctx.open_db().patients()
    if args.json:
        ctx.json([{"number": p.id, "name": p.name, "id": p.uuid} for p in found])
        return 0
    if not found:
        ctx.out(_("No patients yet: add one with medtrack init --name NAME --born YYYY-MM-DD"))
        return 0
    width = max(len(str(p.id)) for p in found)
    names = [p.name or _("(no profile yet)") for p in found]
    name_width = max(cell_width(n) for n in names)  # a Japanese name takes two cells a character
    for patient, name in zip(found, names, strict=True):
        ctx.out(f"{patient.id:>{width}}  {pad(name, name_width)}  {patient.uuid}")
    if len(found) > 1:
        ctx.out(_("Choose one with --patient NUMBER or NAME (or MEDTRACK_PATIENT)."))
    return 0


def cmd_db_roles(args: argparse.Namespace, ctx: Context) -> int:
    """medtrack --db postgresql+psycopg://owner@/medtrack?host=/run/postgresql db roles > roles.sql"""
    from medtrack.services.roles import NURSE, PRESCRIBER, apply_roles, role_statements

    if args.apply:
        apply_roles(ctx.db_path, ctx.clock)
        login = _("give each person a login role in one of them, e.g. {example}").format(
            example=f"CREATE ROLE anna LOGIN; GRANT {NURSE} TO anna;")
        ctx.out(_("The roles {nurse} and {prescriber} are set up in {db}: {login}").format(
            nurse=NURSE, prescriber=PRESCRIBER, db=ctx.db_path, login=login))
        return 0
    statements = role_statements(ctx.db_path, ctx.clock)  # a script: its comments stay English, as SQL
    for line in (
        f"-- medtrack's roles for the ward database {ctx.db_path}",
        "-- Run as the database's owner (a role with CREATEROLE): psql -v ON_ERROR_STOP=1 -f roles.sql,",
        "-- or medtrack db roles --apply. Safe to run again; run it again after medtrack db upgrade.",
        f"-- {NURSE} records doses, skips, voids, symptoms and stock; {PRESCRIBER} also admits",
        "-- patients and changes profiles, prescriptions, taper plans and the PIN lock. Nobody may",
        "-- change or delete a record: the server refuses. Give each person a login role in one group:",
        f"--   CREATE ROLE anna LOGIN; GRANT {NURSE} TO anna;",
        f"--   CREATE ROLE dr_weiss LOGIN; GRANT {PRESCRIBER} TO dr_weiss;",
        "-- (with a password or a pg_hba.conf rule for how they sign in). Each entry is recorded as",
        "-- entered by the login role (medtrack --by NAME names someone else). Everyone else (PUBLIC)",
        "-- loses CONNECT and TEMPORARY on this database and CREATE on its schema public.",
        "BEGIN;",
        *statements,
        "COMMIT;",
    ):
        ctx.out(line)
    return 0
