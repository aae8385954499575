"""Commands for a database shared by several patients: the list of patients, the ward's roles."""

from __future__ import annotations

import argparse

from medtrack.cli import Context


def cmd_patients(args: argparse.Namespace, ctx: Context) -> int:
    found = ctx.open_db().patients()
    if args.json:
        ctx.json([{"number": p.id, "name": p.name, "id": p.uuid} for p in found])
        return 0
    if not found:
        ctx.out("No patients yet: add one with medtrack init --name NAME --born YYYY-MM-DD")
        return 0
    width = max(len(str(p.id)) for p in found)
    for patient in found:
        ctx.out(f"{patient.id:>{width}}  {patient.name or '(no profile yet)'}  {patient.uuid}")
    if len(found) > 1:
        ctx.out("Choose one with --patient NUMBER or NAME (or MEDTRACK_PATIENT).")
    return 0
