"""Each safety rule in words a patient or prescriber reads: one mapping from the rule's stable
id (kept in records, JSON, CSV and FHIR codes) to the words every view shows instead."""

from __future__ import annotations

from medtrack.errors import Refused
from medtrack.i18n import N_, _

RULE_WORDS = {
    # the dose rules (core.rules.check_dose): the ids an already-taken dose is recorded with
    "contraindication": N_("no dose while a contraindication applies"),
    "nothing-scheduled": N_("no dose when none is scheduled"),
    "one-dose-per-night": N_("one dose per night"),
    "skipped-night": N_("no dose on a skipped night"),
    "12-hour-gap": N_("at least 12 hours between doses"),
    "dose-window": N_("only in the night's dose window"),
    "monograph-ceiling": N_("never above the nightly limit"),
    "scheduled-dose": N_("never above the scheduled dose"),
    # the other refusals
    "recent-dose": N_("a recent dose stays recorded"),
    "prescriber-lock": N_("prescriber lock"),
    "role-permissions": N_("role permissions"),
    "server-check": N_("the database server's check"),
}


def rule_words(rule: str) -> str:
    """The rule in words; an id this medtrack does not know (e.g. from an imported file) is
    said as its words, without the hyphens."""
    return _(RULE_WORDS[rule]) if rule in RULE_WORDS else rule.replace("-", " ")


def against_rule(rule: str | None) -> str:
    """'against the rule "one dose per night"', or '' when no rule was broken."""
    return _("against the rule '{rule}'").format(rule=rule_words(rule)) if rule else ""


def refusal(rule: str, reason: str, *, hint: str | None = None) -> Refused:
    """The refusal by `rule`, named in words: 'refused (one dose per night): <reason>'."""
    return Refused(rule, _("refused ({rule}): {reason}").format(rule=rule_words(rule), reason=reason), hint=hint)
