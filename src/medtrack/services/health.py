"""Use case: can this database be read and written now, in words for a person (Tonight, `status`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medtrack.core.rules import TonightState
from medtrack.core.units import format_mg
from medtrack.i18n import N_, _, short_time
from medtrack.services.status import Status
from medtrack.storage.database import Database
from medtrack.storage.probe import Fault, probe

# What is wrong, said once for the screen and the command line: plain words, no options.
MESSAGES = {
    Fault.DAMAGED: N_("medtrack's records are damaged, so nothing can be recorded, and what is shown "
                      "may be incomplete."),
    Fault.READ_ONLY: N_("medtrack's records are read-only here, so nothing can be recorded."),
    Fault.NOT_PERMITTED: N_("This login may look at the records but not add to them, so nothing can "
                            "be recorded."),
    Fault.UNWRITABLE: N_("medtrack cannot save to its records, so nothing can be recorded."),
}
# What to type or check, for the command line only (the screen never shows a hint).
FILE_HINTS = {
    Fault.DAMAGED: N_("restore your latest backup with medtrack restore BACKUP-FILE; the damaged file "
                      "is kept beside it"),
    Fault.READ_ONLY: N_("make the file writable for this user, e.g. chmod 600 FILE, and check that its "
                        "disk is not mounted read-only"),
    Fault.UNWRITABLE: N_("check the disk and the folder that hold the file"),
}
SERVER_HINTS = {
    Fault.READ_ONLY: N_("the server takes no changes now, being a standby or with "
                        "default_transaction_read_only on; ask whoever looks after the ward's database"),
    Fault.NOT_PERMITTED: N_("this login needs the medtrack_nurse role to record; ask whoever looks "
                            "after the ward's database"),
}
ASK = N_("ask for help to fix medtrack")


@dataclass(frozen=True)
class DatabaseHealth:
    """Whether a record can be written now; `fault` says why not."""

    fault: Fault | None
    on_server: bool = False

    @property
    def writable(self) -> bool:
        return self.fault is None

    @property
    def message(self) -> str | None:
        return _(MESSAGES[self.fault]) if self.fault is not None else None

    @property
    def hint(self) -> str | None:
        if self.fault is None:
            return None
        hint = (SERVER_HINTS if self.on_server else FILE_HINTS).get(self.fault)
        return _(hint) if hint is not None else None

    def what_to_do(self, report: Status) -> str:
        """What the patient can do tonight while nothing can be recorded, from the night's
        decision (the plan's dose and window, as Tonight and `status` show them)."""
        d = report.decision
        unsure = (_("If you are not sure whether you took tonight's dose already, ask for help "
                    "before you take it.") + " ") if self.fault is Fault.DAMAGED else ""
        if d.state in (TonightState.DUE, TonightState.NOT_YET) and d.may_take_ug:
            dose = (_("{dose} at most") if d.over_ceiling else "{dose}").format(dose=format_mg(d.may_take_ug))
            when = (_("until {latest}").format(latest=short_time(d.window.latest)) if d.state == TonightState.DUE
                    else _("from {opens} to {latest}").format(opens=short_time(d.window.opens),
                                                             latest=short_time(d.window.latest)))
            return _("Tonight's dose by your plan: {dose}, {when}, just before you go to bed; do not drive "
                     "or use machines afterwards. {unsure}You can still take it as the plan says, but it "
                     "cannot be recorded: write down the time and the dose on paper, and {ask}.").format(
                         dose=dose, when=when, unsure=unsure, ask=_(ASK))
        return _("{unsure}Write down on paper anything you take or skip until it is fixed, and {ask}.").format(
            unsure=unsure, ask=_(ASK))

    def to_json(self, report: Status | None = None) -> dict[str, Any]:
        """The `database` object of `status --json` (with what to do tonight, given the night)."""
        return {"writable": self.writable, "problem": str(self.fault) if self.fault else None,
                "message": self.message,
                "what_to_do": self.what_to_do(report) if report and not self.writable else None}


def check_database(db: Database) -> DatabaseHealth:
    """Read and write checks that write nothing (about a millisecond on a year of records; a
    big file's damage check stops after half a second). Raises the usual StorageProblem when
    the database cannot even be read."""
    return DatabaseHealth(probe(db.engine, db.path), on_server=db.file is None)
