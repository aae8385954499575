"""A stock count is judged against what is expected since the last delivery (core.stock): small
shortfalls at successive counts add up and are flagged once they pass half a tablet (0.5 ml),
whatever each count says about the one before; a new delivery starts again from what is there."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from medtrack.core.formulation import Formulation, Liquid, Tablet
from medtrack.core.model import Record, RecordKind, Regimen, Step, StockEntry
from medtrack.core.stock import judged_since, levels, off_count, since_words, used_by

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


def half(form: Formulation) -> int:
    """Half a tablet in quarters, or 0.5 ml in µl: a count further off than this is flagged."""
    return 500 if form.liquid else 2


def entry(index: int, kind: str, form: Formulation, day: int, amount: int) -> StockEntry:
    """An entry at noon plus `index` minutes of day `day`: never at a dose's 22:40."""
    key = key_of(form)
    at = dt.datetime.combine(FIRST + dt.timedelta(days=day), dt.time(12, 0), TZ) + dt.timedelta(minutes=index)
    return StockEntry(id=index, kind=kind, at=at, zone=ZONE, amount=amount,
                      strength_ug=key[1] if key[0] == "tablet" else None,
                      ug_per_ml=key[1] if key[0] == "liquid" else None)


def dose(day: int) -> Record:
    night = FIRST + dt.timedelta(days=day)
    return Record(id=day + 1, kind=RecordKind.DOSE, night=night,
                  at=dt.datetime.combine(night, dt.time(22, 40), TZ), zone=ZONE, dose_ug=500, scheduled_ug=500)


# Each count: how far it moves from the count before (within half a tablet or 0.5 ml, either
# way, as a share of that half), and whether the night before it had a dose.
STEPS = st.lists(st.tuples(st.integers(-2, 2), st.booleans()), min_size=1, max_size=10)


def counted(form: Formulation, delivered: int, steps: list[tuple[int, bool]], start_day: int = 0,
            first_index: int = 1) -> tuple[list[StockEntry], list[Record], list[int]]:
    """Counts one a day after a delivery, each within half a tablet (0.5 ml) of what the count
    before it leaves after that night's dose: the entries, the doses, and how far each count has
    drifted from what the delivery and the doses leave."""
    used = used_by(500, form)[key_of(form)]
    step = half(form) // 2  # a quarter tablet, or 0.25 ml
    entries: list[StockEntry] = []
    doses: list[Record] = []
    expected = last = delivered
    drifts = []
    for n, (move, taken) in enumerate(steps):
        day = start_day + n + 1
        if taken:
            doses.append(dose(day - 1))
            expected, last = expected - used, last - used
        last += move * step
        entries.append(entry(first_index + n, "count", form, day, last))
        drifts.append(last - expected)
    return entries, doses, drifts


@given(st.sampled_from([TABLETS, LIQUID]), st.integers(40, 400), STEPS)
@example(TABLETS, 68, [(-2, False), (-1, False)])  # 17 tablets: 16.5 counted, then 16.25
def test_counts_each_within_half_a_tablet_of_the_last_are_flagged_once_they_drift_from_the_delivery(
        form, delivered, steps):
    scale = 1000 if form.liquid else 1  # tablets in quarters, a liquid in ml
    add = entry(0, "add", form, 0, delivered * scale)
    counts, doses, drifts = counted(form, delivered * scale, steps)
    judged = judged_since([add, *counts], doses, [regimen(form)])[1:]
    for (count, since), drift in zip(judged, drifts, strict=True):
        assert since is not None and since.id == add.id
        assert count.expected == count.amount - drift  # the delivery less every dose since
        assert count.flagged == (abs(drift) > half(form))
        assert count.flagged == off_count(count.key, count.amount, count.expected or 0)
        assert since_words(since) == "since the delivery on 2026-11-01"


@given(st.sampled_from([TABLETS, LIQUID]), st.integers(40, 400), STEPS, st.integers(4, 200), STEPS)
@example(TABLETS, 68, [(-2, False), (-1, False)], 40, [(-1, False), (-1, False), (-1, False)])
@pytest.mark.slow
def test_a_new_delivery_starts_again_from_what_is_there(form, delivered, before, more, after):
    """Before the second delivery the counts drift from the first; after it, from what was
    there then (the last count, less the doses since, plus the delivery)."""
    scale = 1000 if form.liquid else 1
    first = entry(0, "add", form, 0, delivered * scale)
    counts, doses, drifts = counted(form, delivered * scale, before)
    day = len(before) + 1
    second = entry(50, "add", form, day, more * scale)
    there = levels([first, *counts, second], doses, [regimen(form)], second.at)[key_of(form)].amount
    assert there == counts[-1].amount + more * scale  # the last count set the level, no dose since
    later, later_doses, later_drifts = counted(form, there, after, start_day=day, first_index=60)
    judged = judged_since([first, *counts, second, *later], doses + later_doses, [regimen(form)])
    for (count, since), drift in zip(judged[1:len(counts) + 1], drifts, strict=True):
        assert since == first and count.flagged == (abs(drift) > half(form))
    for (count, since), drift in zip(judged[len(counts) + 2:], later_drifts, strict=True):
        assert since == second
        assert count.expected == count.amount - drift
        assert count.flagged == (abs(drift) > half(form))


@given(st.sampled_from([TABLETS, LIQUID]), st.integers(0, 400), st.integers(0, 400))
def test_before_any_delivery_the_first_count_expects_nothing_and_the_next_run_from_it(form, found, then):
    first = entry(1, "count", form, 1, found)
    second = entry(2, "count", form, 2, then)
    (one, since_one), (two, since_two) = judged_since([first, second], [], [regimen(form)])
    assert (one.expected, one.flagged, since_one) == (0, found > half(form), None)
    assert since_words(since_one) == "with no delivery before it"
    assert (two.expected, since_two) == (found, one)
    assert two.flagged == (abs(then - found) > half(form))
