"""Each safety rule in words a patient or prescriber reads: one mapping from the rule's stable
id (kept in records, JSON, CSV and FHIR codes) to the words every view shows instead."""

from __future__ import annotations

from medtrack.errors import Refused

RULE_WORDS = {
    # the dose rules (core.rules.check_dose): the ids an already-taken dose is recorded with
    "contraindication": "no dose while a contraindication applies",
    "nothing-scheduled": "no dose when none is scheduled",
    "one-dose-per-night": "one dose per night",
    "skipped-night": "no dose on a skipped night",
    "12-hour-gap": "at least 12 hours between doses",
    "dose-window": "only in the night's dose window",
    "monograph-ceiling": "never above the nightly limit",
    "scheduled-dose": "never above the scheduled dose",
    # the other refusals
    "recent-dose": "a recent dose stays recorded",
    "prescriber-lock": "prescriber lock",
    "role-permissions": "role permissions",
    "server-check": "the database server's check",
}


def rule_words(rule: str) -> str:
    """The rule in words; an id this medtrack does not know (e.g. from an imported file) is
    said as its words, without the hyphens."""
    return RULE_WORDS.get(rule, rule.replace("-", " "))


def against_rule(rule: str | None) -> str:
    """'against the rule "one dose per night"', or '' when no rule was broken."""
    return f"against the rule '{rule_words(rule)}'" if rule else ""


def refusal(rule: str, reason: str, *, hint: str | None = None) -> Refused:
    """The refusal by `rule`, named in words: 'refused (one dose per night): <reason>'."""
    return Refused(rule, f"refused ({rule_words(rule)}): {reason}", hint=hint)
