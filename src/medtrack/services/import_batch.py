"""One batch of an import: a unit of work with the batch's nights read once, what the rules ask
about them answered from memory, and the records it adds written together."""

from __future__ import annotations

import dataclasses
import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING

from medtrack.core.decide import ProfileHistory
from medtrack.core.model import Record
from medtrack.services.import_file import Row
from medtrack.services.nights import TWELVE_HOURS
from medtrack.storage.repository import STANDING, Repository, to_epoch

if TYPE_CHECKING:
    from sqlmodel import Session

SPAN_DAYS = 7  # a batch's nights (and doses) are read as runs without a longer gap


def _spans(points: Sequence[int], gap: int) -> list[tuple[int, int]]:
    """Sorted points in runs without a gap wider than `gap`: the first and last of each run."""
    found: list[tuple[int, int]] = []
    for point in points:
        if found and point - found[-1][1] <= gap:
            found[-1] = (found[-1][0], point)
        else:
            found.append((point, point))
    return found


class BatchRepository(Repository):
    """One batch's unit of work, with the batch's nights read once.

    What `add_dose`, `add_skip` and `add_void` ask about those nights (the night's records, the
    doses within 12 hours, a record by id, the profile history) is answered from what was read
    and what the batch has added since. The records added are held back and written together
    (`append_records`, one statement) before anything else reads the database through this
    unit of work, before a void (which needs the id its record is written with) and after it,
    and when the batch ends; a record held back has a provisional id below zero, which stays its
    name here.
    """

    def __init__(self, repo: Repository, rows: Sequence[Row]) -> None:
        state = dict(vars(repo))  # the same unit of work: session, patient, who enters, clock
        self._session: Session = state.pop("session")
        vars(self).update(state)
        self._held: list[tuple[Record, str, dt.datetime]] = []  # record, recorded by, recorded at
        self._real: dict[int, int] = {}  # provisional id -> the id it was written with
        self._provisional: dict[int, int] = {}  # and back
        self._history = repo.profile_history()
        self._night_spans = _spans(sorted({row.night.toordinal() for row in rows}), SPAN_DAYS)
        self._nights: dict[dt.date, list[Record]] = {}
        self._by_id: dict[int, Record] = {}
        for first, last in self._night_spans:
            for record in repo.records_for_nights(dt.date.fromordinal(first), dt.date.fromordinal(last)):
                self._keep(record)
        reach = int(TWELVE_HOURS.total_seconds())  # how far night_facts looks for doses
        instants = _spans(sorted({to_epoch(row.at) for row in rows}), SPAN_DAYS * 86400)
        self._dose_spans = [(first - reach, last + reach) for first, last in instants]
        self._dose_at: list[int] = []
        self._doses: list[Record] = []
        for first, last in self._dose_spans:
            for dose in repo.doses_between(_instant(first), _instant(last)):
                self._add_dose(dose)

    @property
    def session(self) -> Session:
        """The unit of work's session, once the records held back are written."""
        if self._held:
            self.write_held()
        return self._session

    @session.setter
    def session(self, session: Session) -> None:
        self._session = session

    def write_held(self) -> None:
        """Write the records held back, in order and in one statement, and note their ids."""
        held, self._held = self._held, []
        for at, run in groupby(held, key=lambda entry: entry[2]):  # one `now` in an import
            entries = list(run)
            ids = self.append_records([record for record, _by, _at in entries], recorded_at=at,
                                      names=[by for _record, by, _at in entries])
            for (record, _, _), real in zip(entries, ids, strict=True):
                self._real[record.id] = real
                self._provisional[real] = record.id

    def real_id(self, record_id: int) -> int:
        """The id a record has in the database (for a provisional one, once it is written)."""
        return self._real.get(record_id, record_id)

    def profile_history(self) -> ProfileHistory | None:
        return self._history

    def records_for_nights(self, first: dt.date, last: dt.date, *,
                           kinds: Sequence[str] = STANDING) -> list[Record]:
        if tuple(kinds) != STANDING or not self._holds_nights(first, last):
            return super().records_for_nights(first, last, kinds=kinds)
        return [record for day in range(first.toordinal(), last.toordinal() + 1)
                for record in self._nights.get(dt.date.fromordinal(day), ())]

    def doses_between(self, start: dt.datetime, end: dt.datetime) -> list[Record]:
        low, high = to_epoch(start), to_epoch(end)
        if not any(first <= low and high <= last for first, last in self._dose_spans):
            return super().doses_between(start, end)
        return self._doses[bisect_right(self._dose_at, low):bisect_left(self._dose_at, high)]

    def record(self, record_id: int) -> Record | None:
        held = self._by_id.get(self._provisional.get(record_id, record_id))
        if held is not None or self.real_id(record_id) < 0:
            return held
        return super().record(self.real_id(record_id))

    def add_record(self, record: Record, *, recorded_at: dt.datetime) -> Record:
        if record.kind == "void" and record.voids is not None:
            if self.real_id(record.voids) < 0:
                self.write_held()  # the void names its record by the id it is written with
            record = dataclasses.replace(record, voids=self.real_id(record.voids))
        saved = dataclasses.replace(record, id=-len(self._real) - len(self._held) - 1)
        self._held.append((saved, self.recorder(), recorded_at))  # as the stamp would name it now
        if saved.kind == "void" and saved.voids is not None:
            # a void ends its statement: PostgreSQL marks its record voided only once the
            # statement ends, and a dose after it may count on that
            self.write_held()
            self._cancel(saved.voids, saved)
        else:
            self._keep(saved)
            if saved.counted:
                self._add_dose(saved)
        return saved

    def holding(self, row: Row) -> Record | None:
        """The dose or skip this database holds that the row describes, if any."""
        at = to_epoch(row.at)
        for record in self.records_for_nights(row.night, row.night):
            if (record.kind, record.dose_ug) == (row.kind, row.dose_ug) and to_epoch(record.at) == at:
                return record
        return None

    def _holds_nights(self, first: dt.date, last: dt.date) -> bool:
        return any(a <= first.toordinal() and last.toordinal() <= b for a, b in self._night_spans)

    def _keep(self, record: Record) -> None:
        if record.kind in STANDING and self._holds_nights(record.night, record.night):
            self._nights.setdefault(record.night, []).append(record)
            self._by_id[record.id] = record

    def _add_dose(self, dose: Record) -> None:
        epoch = to_epoch(dose.at)
        at = bisect_right(self._dose_at, epoch)
        self._dose_at.insert(at, epoch)
        self._doses.insert(at, dose)

    def _cancel(self, record_id: int, void: Record) -> None:
        """What the schema does on the void: its record is voided, with the void's reason, and
        no longer among the doses that count."""
        names = {record_id, self._provisional.get(record_id, record_id)}
        held = self._by_id.get(self._provisional.get(record_id, record_id))
        first, last = 0, len(self._doses)
        if held is not None:  # where its time puts it among the doses
            at = to_epoch(held.at)
            first, last = bisect_left(self._dose_at, at), bisect_right(self._dose_at, at)
        for index in range(first, last):
            if self._doses[index].id in names:
                del self._doses[index], self._dose_at[index]
                break
        if held is not None:
            voided = dataclasses.replace(held, voided=True, void_reason=void.note,
                                         not_taken=held.not_taken or void.not_taken)
            self._by_id[held.id] = voided
            night = self._nights[held.night]
            night[night.index(held)] = voided


def _instant(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)
