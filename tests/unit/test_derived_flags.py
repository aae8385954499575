"""Judgements derived when read: whether a stock count is off (and what it was expected to find)
from the stored amounts, and whether a symptom is urgent from the monograph; nothing a row
carries for them (a raw INSERT could forge it) changes the answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrack.core.formulation import Formulation, Liquid, Tablet
from medtrack.core.model import Record, RecordKind, Regimen, Step, StockEntry
from medtrack.core.stock import judged_entries, levels, off_count, used_by
from medtrack.core.symptoms import is_urgent
from medtrack.monograph import load_monograph
from medtrack.withdrawal import load_withdrawal

ZONE = "Europe/Berlin"
TZ = ZoneInfo(ZONE)
FIRST = dt.date(2026, 11, 1)
TABLETS = Formulation(tablets=(Tablet(1000, 2),))  # 1 mg, halves: a 0.5 mg dose is 2 quarters
LIQUID = Formulation(liquid=Liquid(100, 100))  # 0.1 mg/ml: a 0.5 mg dose is 5000 µl


def regimen(form: Formulation) -> Regimen:
    return Regimen(kind="prescription", id=1, seq=1, prescriber="Dr. Weiss", steps=(Step(FIRST, 500),),
                   created_at=dt.datetime(2026, 11, 1, 11, 0, tzinfo=dt.UTC), formulation=form)


def key_of(form: Formulation) -> tuple[str, int]:
    return ("liquid", 100) if form.liquid else ("tablet", 1000)


def entry(index: int, kind: str, form: Formulation, day: int, minute: int, amount: int,
          expected: int | None = None, flagged: bool = False) -> StockEntry:
    """An entry on the afternoon of day `day` (12:00 + minute), never at a dose's 22:40."""
    key = key_of(form)
    at = dt.datetime.combine(FIRST + dt.timedelta(days=day), dt.time(12, 0), TZ) + dt.timedelta(minutes=minute)
    return StockEntry(id=index, kind=kind, at=at, zone=ZONE, amount=amount,
                      strength_ug=key[1] if key[0] == "tablet" else None,
                      ug_per_ml=key[1] if key[0] == "liquid" else None, expected=expected, flagged=flagged)


def dose(index: int, day: int) -> Record:
    night = FIRST + dt.timedelta(days=day)
    return Record(id=index, kind=RecordKind.DOSE, night=night,
                  at=dt.datetime.combine(night, dt.time(22, 40), TZ), zone=ZONE, dose_ug=500, scheduled_ug=500)


@st.composite
def stock_history(draw: st.DrawFn) -> tuple[Formulation, list[StockEntry], list[Record]]:
    """Adds and counts (each maybe carrying a forged `expected` and `flagged`) in the order the
    repository reads them (time, then id), and the doses of some of the nights."""
    form = draw(st.sampled_from([TABLETS, LIQUID]))
    scale = 1000 if form.liquid else 4  # an amount in µl or quarters, drawn in ml or tablets
    raw = draw(st.lists(st.tuples(st.sampled_from(["add", "count"]), st.integers(0, 20), st.integers(0, 600),
                                  st.integers(0, 60), st.integers(0, 3),
                                  st.one_of(st.none(), st.integers(-500, 500_000)), st.booleans()),
                        max_size=12))
    entries = [entry(i + 1, kind, form, day, minute, whole * scale + part * (scale // 4), forged, flag)
               for i, (kind, day, minute, whole, part, forged, flag) in enumerate(raw)]
    entries.sort(key=lambda e: (e.at, e.id))
    taken = draw(st.lists(st.booleans(), min_size=21, max_size=21))
    return form, entries, [dose(day + 1, day) for day, yes in enumerate(taken) if yes]


def facts(entries: list[StockEntry]) -> list[StockEntry]:
    """The entries as stored facts only (no judgement)."""
    return [replace(e, expected=None, flagged=False) for e in entries]


def reference(form: Formulation, entries: list[StockEntry], doses: list[Record]) -> list[tuple[int | None, bool]]:
    """Each entry's (expected, off), by walking the days by hand: the level is what the adds and
    doses leave, a count setting it; a count expects what was there just after the last add (the
    level then), less what each dose since used, so a count does not move what the next one
    expects. Before any add the first count expects nothing and the next ones what it found,
    less the doses since."""
    used = used_by(500, form)[key_of(form)]
    events = sorted([(e.at, 0, i) for i, e in enumerate(entries)] + [(d.at, 1, -1) for d in doses])
    left: int | None = None  # the level (None: not tracked yet)
    since_delivery: int | None = None  # what the last add (else the first count) leaves
    found: list[tuple[int | None, bool]] = [(None, False)] * len(entries)
    for _, is_dose, i in events:
        if is_dose:
            left = None if left is None else left - used
            since_delivery = None if since_delivery is None else since_delivery - used
        elif entries[i].kind == "add":
            left = since_delivery = (left or 0) + entries[i].amount
        else:
            expected = since_delivery or 0
            limit = 500 if form.liquid else 2
            found[i] = (expected, abs(entries[i].amount - expected) > limit)
            left = entries[i].amount
            since_delivery = entries[i].amount if since_delivery is None else since_delivery
    return found


@given(stock_history())
@pytest.mark.slow
def test_a_stored_judgement_never_changes_the_derived_one(history):
    form, entries, doses = history
    judged = judged_entries(entries, doses, [regimen(form)])
    assert judged == judged_entries(facts(entries), doses, [regimen(form)])
    assert judged_entries(judged, doses, [regimen(form)]) == judged  # judging again changes nothing
    assert facts(judged) == facts(entries)  # the same entries, in the same order, facts untouched


@given(stock_history())
@pytest.mark.slow
def test_each_count_expects_what_the_last_delivery_and_the_doses_since_leave(history):
    form, entries, doses = history
    judged = judged_entries(entries, doses, [regimen(form)])
    assert [(e.expected, e.flagged) for e in judged] == reference(form, entries, doses)


@given(stock_history())
def test_the_expected_amount_is_the_level_just_after_the_last_add_less_the_doses_since(history):
    """And a count still sets the level (what is left, the nights it lasts)."""
    form, entries, doses = history
    key, used = key_of(form), used_by(500, form)[key_of(form)]
    for position, count in enumerate(judged_entries(entries, doses, [regimen(form)])):
        if count.kind != "count":
            assert count.expected is None and not count.flagged
            continue
        adds = [i for i in range(position) if entries[i].kind == "add"]
        firsts = [i for i in range(position) if entries[i].kind == "count"]
        if adds:
            anchor = entries[adds[-1]]
            start = levels(entries[:adds[-1] + 1], doses, [regimen(form)], anchor.at)[key].amount
        elif firsts:  # no delivery yet: from what the first count found
            anchor = entries[firsts[0]]
            start = anchor.amount
        else:
            assert count.expected == 0  # nothing was delivered
            continue
        since = sum(1 for d in doses if anchor.at < d.at < count.at)
        assert count.expected == start - since * used
        assert count.flagged == off_count(count.key, count.amount, count.expected)
        assert levels(entries[:position + 1], doses, [regimen(form)], count.at)[key].amount == count.amount


@given(stock_history(), st.integers(0, 20))
@pytest.mark.slow
def test_counting_what_is_expected_is_never_flagged_and_a_missing_tablet_or_ml_always_is(history, day):
    form, entries, doses = history
    count = entry(99, "count", form, day, 601, 0)  # after every other entry of that day
    earlier = [e for e in entries if e.at < count.at]
    expected = reference(form, [*earlier, count], doses)[-1][0]
    assert expected is not None
    missing = 1000 if form.liquid else 4  # 1 ml, one tablet
    for amount, off in ((expected, False), (expected - missing, True), (expected + missing, True)):
        judged = judged_entries([*earlier, replace(count, amount=amount, flagged=not off, expected=amount)],
                                doses, [regimen(form)])[-1]
        assert (judged.expected, judged.flagged) == (expected, off)


@pytest.mark.parametrize(("key", "counted", "expected", "off"), [
    (("tablet", 1000), 58, 60, False),  # half a tablet short: not flagged
    (("tablet", 1000), 57, 60, True),
    (("tablet", 1000), 63, 60, True),  # more than expected is flagged too
    (("liquid", 100), 9500, 10000, False),  # 0.5 ml short
    (("liquid", 100), 9499, 10000, True),
])
def test_off_means_further_than_half_a_tablet_or_half_a_ml(key, counted, expected, off):
    assert off_count(key, counted, expected) is off


def test_a_count_that_hides_a_loss_is_flagged_whatever_it_says():
    adds = entry(1, "add", TABLETS, 0, 60, 120)  # 30 tablets
    forged = entry(2, "count", TABLETS, 10, 0, 60, expected=60, flagged=False)  # 15 left, "as expected"
    doses = [dose(day + 1, day) for day in range(10)]  # 10 × half a tablet
    judged = judged_entries([adds, forged], doses, [regimen(TABLETS)])
    assert (judged[1].expected, judged[1].flagged) == (100, True)  # 25 tablets were expected
    assert levels([adds, forged], doses, [regimen(TABLETS)], forged.at)[("tablet", 1000)].last_count == judged[1]


MONOGRAPH = load_monograph()
WITHDRAWAL = load_withdrawal()


@given(st.sampled_from(MONOGRAPH.side_effects), st.data())
def test_a_side_effect_is_urgent_as_the_monograph_says_by_its_id_its_name_or_an_alias(effect, data):
    term = data.draw(st.sampled_from((effect.id, effect.name, *effect.aliases)))
    spelled = data.draw(st.sampled_from((term, term.upper(), term.lower(), f"  {term}  ")))
    assert is_urgent(MONOGRAPH, WITHDRAWAL, effect.id, effect.name) is effect.urgent
    assert is_urgent(MONOGRAPH, WITHDRAWAL, None, spelled) is effect.urgent  # stored without its id
    assert is_urgent(MONOGRAPH, WITHDRAWAL, "headache", spelled) is effect.urgent  # a forged id does not hide it
    assert is_urgent(MONOGRAPH, WITHDRAWAL, effect.id, "whatever the row says") is effect.urgent


def test_urgent_comes_from_the_monograph_not_from_free_text():
    assert is_urgent(MONOGRAPH, WITHDRAWAL, "respiratory-depression", "Respiratory depression")
    assert is_urgent(MONOGRAPH, WITHDRAWAL, None, "low blood pressure")
    assert not is_urgent(MONOGRAPH, WITHDRAWAL, "withdrawal-symptoms", "Withdrawal symptoms")  # expected in a taper
    assert not is_urgent(MONOGRAPH, WITHDRAWAL, None, "a bad dream")
    assert not is_urgent(MONOGRAPH, WITHDRAWAL, "no-such-effect", "Headache")
