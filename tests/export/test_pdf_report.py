"""The doctor's PDF report, read back with poppler (pdftotext, pdffonts, pdftoppm): every character
of any script drawn, the summary and exceptions on page one, records by night, the closing note,
the chart's gaps and step labels, and identical bytes for identical data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import shutil
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from test_pdf import (
    FIRST,
    LAST,
    NAME,
    at,
    lines_of,
    make_data,
    records,
    render,
    text_of,
)

from medtrack.core.calendar import CalendarNight, NightState

SCRIPTS = "Jörg Müller 日本 محمد שרה Ελένη Иван"  # Latin, CJK, Arabic, Hebrew, Greek, Cyrillic
UNDRAWABLE = "\U0010FFFD"  # private use, plane 16: no font has it
BIDI_CONTROLS = dict.fromkeys([0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
ROW = re.compile(r"^(\d+) 2026-11-\d\d 2026-11-\d\d \d\d:\d\d")
HERE = Path(__file__).parent


def poppler(tool: str, *args: str, errors: str = "strict") -> str:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return subprocess.run([tool, *args], capture_output=True, check=True).stdout.decode("utf-8", errors)


def saved(pdf: bytes, tmp_path: Path, name: str = "report.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    return str(path)


def page_lines(pdf: bytes, tmp_path: Path, page: int, *, layout: bool = False) -> list[str]:
    """One page's extracted lines, the direction marks pdftotext adds around right-to-left runs
    removed and whitespace collapsed (right-to-left text comes out in logical order)."""
    args = ["-enc", "UTF-8", "-f", str(page), "-l", str(page), *(["-layout"] if layout else [])]
    text = poppler("pdftotext", *args, saved(pdf, tmp_path), "-").translate(BIDI_CONTROLS)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def page_count(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n")


def embedded_fonts(pdf: bytes, tmp_path: Path) -> set[str]:
    """The fonts pdffonts lists as embedded, without the subset prefix."""
    lines = poppler("pdffonts", saved(pdf, tmp_path)).splitlines()[2:]
    return {line.split()[0].split("+")[-1] for line in lines if line.split()[-5] == "yes"}


@pytest.fixture(scope="module")
def report() -> bytes:
    return render(make_data())


@pytest.fixture
def text(report: bytes, tmp_path: Path) -> str:
    return text_of(report, tmp_path)


@pytest.fixture
def lines(report: bytes, tmp_path: Path) -> list[str]:
    return lines_of(report, tmp_path)


@pytest.fixture(scope="module")
def multi() -> bytes:
    return render(make_data(name=SCRIPTS))


@pytest.mark.slow
def test_every_character_of_a_multi_script_name_is_drawn(multi: bytes, tmp_path: Path) -> None:
    first = page_lines(multi, tmp_path, 1)
    patient = next(line for line in first if line.startswith("Patient "))
    for word in SCRIPTS.split():  # Arabic and Hebrew read back in logical order, so drawn right to left
        assert word in patient
    assert set(SCRIPTS) - {" "} <= set(patient)
    for page in range(1, page_count(multi) + 1):
        footer = next(line for line in page_lines(multi, tmp_path, page) if line.startswith("medtrack report"))
        assert all(word in footer for word in SCRIPTS.split()), footer
        assert "2026-11-01 to 2026-11-20" in footer
    text = " ".join(first)
    assert "□" not in text and "could not be drawn" not in text


@pytest.mark.slow
def test_the_fallback_fonts_are_embedded(multi: bytes, report: bytes, tmp_path: Path) -> None:
    assert {"DejaVuSansBook", "DroidSansFallback", "NotoSansArabic", "NotoSansHebrew"} <= embedded_fonts(
        multi, tmp_path)
    # a report without CJK, Arabic or Hebrew text does not carry those fonts (the CJK one is 3.3 MB)
    assert embedded_fonts(report, tmp_path) == {"DejaVuSansBook", "DejaVuSansBold", "NotoEmoji"}


@pytest.mark.slow
def test_a_right_to_left_note_reads_back_in_order_flush_right(tmp_path: Path) -> None:
    """Extracted in logical order (so drawn right to left), and set flush right in its cell: the ink
    of its first line ends at the note column's right edge (read from the page as pixels)."""
    pytest.importorskip("PIL")
    from PIL import Image

    note = "نمت جيدا الليلة الماضية ولكن استيقظت في الساعة الثالثة"  # wraps onto two lines of its cell
    recs = records()
    pdf = render(make_data(recs=(dataclasses.replace(recs[0], note=note), *recs[1:])))
    page = next(p for p in range(1, page_count(pdf) + 1) if any(ROW.match(line) for line in
                                                                   page_lines(pdf, tmp_path, p, layout=True)))
    assert all(word in " ".join(page_lines(pdf, tmp_path, page)) for word in note.split())
    path = saved(pdf, tmp_path)
    boxes = poppler("pdftotext", "-enc", "UTF-8", "-bbox", "-f", str(page), "-l", str(page), path, "-",
                    errors="replace")  # (its <title> has the emoji as two UTF-16 halves)
    record = r'xMin="4[0-9.]+" yMin="([0-9.]+)" xMax="[0-9.]+" yMax="([0-9.]+)">1</word>' + (
        r'\s*<word[^>]*>2026-11-01</word>' * 2)  # the record's night and time, not the plan's step 1
    found = re.search(record, boxes)
    assert found is not None
    top, bottom = map(float, found.groups())
    poppler("pdftoppm", "-r", "72", "-png", "-f", str(page), "-l", str(page), "-singlefile", path,
            str(tmp_path / "page"))
    image = Image.open(tmp_path / "page.png").convert("L")

    def grey(x: int, y: int) -> float:
        value = image.getpixel((x, y))
        assert isinstance(value, (int, float)), value  # one channel
        return value

    column = (round((15 + 142) / 25.4 * 72), round((15 + 180) / 25.4 * 72))  # the note column, in pt = px
    ink = [x for x in range(*column) for y in range(round(top), round(bottom))
           if grey(x, y) < 128]
    assert max(ink) >= column[1] - round(1.2 / 25.4 * 72) - 3  # ends at the right edge, less the padding
    assert min(ink) > column[0] + 8  # not at its left edge (left-aligned text starts 3 pt in)


@pytest.mark.slow
def test_a_character_no_font_has_is_a_visible_box_and_page_one_says_so(tmp_path: Path) -> None:
    recs = records()
    late = dataclasses.replace(recs[17], note="Schlaf \u0378 gut")  # U+0378: unassigned; on a later page
    pdf = render(make_data(name=f"Zoë {UNDRAWABLE} Ångström", recs=(*recs[:17], late, *recs[18:])))
    first = page_lines(pdf, tmp_path, 1)
    assert "Patient Zoë □ Ångström" in first
    text = " ".join(first)
    assert ("Some characters could not be drawn and are shown as □ (U+0378, U+10FFFD): no font in this "
            "report has them.") in text
    assert text.index("could not be drawn") < text.index("Summary")  # under the title, before anything else
    assert any(line.startswith("medtrack report · Zoë □ Ångström ·") for line in first)  # the footer
    everything = " ".join(" ".join(page_lines(pdf, tmp_path, p, layout=True)) for p in range(1, page_count(pdf) + 1))
    assert "Schlaf □ gut" in everything


def test_page_one_reads_summary_adherence_and_exceptions_in_order(report: bytes, tmp_path: Path) -> None:
    text = " ".join(page_lines(report, tmp_path, 1))  # pdftotext's own reading order, no -layout
    expected = [
        "Flunitrazepam treatment report",
        f"Patient {NAME}",
        "Summary",
        "Tonight 2026-11-20: 0.75 mg, step 2 of 4 (nights 2026-11-08 to 2026-11-21) of taper plan version 2, "
        "in force since 2026-11-01 (Dr. Weiß)",
        "Next step 0.5 mg from 2026-11-22",
        "Ceiling 1 mg a night at age 66",
        "Symptoms 3 logged; worst severity 4/5 (Hypotension; first on the night of 2026-11-12)",
        "Urgent 1: night 2026-11-12 Hypotension 4/5",  # the night, as the exceptions below date it
        "Adherence: 20 nights due",
        "16 (80.0%) taken as scheduled",
        "2 (10.0%) missed: neither a dose nor a skip recorded",
        "1 (5.0%) skipped: recorded as not taken",
        "1 (5.0%) excess: a second dose, or more than scheduled",
        "1 of 18 (5.6%) doses recorded as already taken despite a rule (of the doses)",
        "1 of 20 (5.0%) records voided: corrections by the patient (of the doses and skips)",
        "Exceptions (6), urgent symptoms first, then the newest",  # what a visit needs first
        "2026-11-12 Urgent symptom: Hypotension 4/5, logged 2026-11-13 09:30: dizzy when standing up",
        "2026-11-16 Correction (void): #21 cancels #20 (0.75 mg at 2026-11-16 22:35): logged twice by mistake",
        "2026-11-12 Missed: 0.75 mg scheduled",
        "2026-11-10 Excess: 1.25 mg taken in 2 doses (#9, #19), 0.75 mg scheduled",
        "2026-11-10 Recorded as already taken: #19: 0.5 mg at 23:40, against the rule 'one dose per night'",
        "2026-11-06 Missed: 1 mg scheduled",
    ]
    found = [text.find(part) for part in expected]
    assert -1 not in found, [part for part, at_ in zip(expected, found, strict=True) if at_ == -1]
    assert found == sorted(found)
    assert "Records:" not in text  # the full table comes after the summary, chart and exceptions


@pytest.mark.slow
def test_consecutive_missed_nights_are_one_exception(tmp_path: Path) -> None:
    from medtrack.export.pdf_summary import findings

    recs = tuple(r for r in records() if r.night.day not in (7, 8))  # the 6th was missed already
    data = make_data(recs=recs)
    missed = [f for f in findings(data) if f.kind == "missed"]
    assert [(f.night.day, f.last.day, f.what) for f in missed] == [(6, 8, "Missed, 3 nights in a row"),
                                                                   (12, 12, "Missed")]
    text = " ".join(page_lines(render(data), tmp_path, 1))
    assert "2026-11-06 Missed, 3 nights in a row (to 2026-11-08): 1 mg / 0.75 mg scheduled" in text


@pytest.mark.slow
def test_records_by_night_each_void_right_after_the_record_it_cancels(tmp_path: Path) -> None:
    from medtrack.export.pdf_records import record_order

    recs = list(records())
    recs[2] = dataclasses.replace(recs[2], voided=True, void_reason="wrong night")  # #3, night of the 3rd
    recs.append(dataclasses.replace(recs[-1], id=22, night=dt.date(2026, 11, 18), at=at(18, 21, 0), voids=3,
                                    note="wrong night"))  # cancelled a fortnight later
    data = make_data(recs=tuple(recs))
    expected = [1, 2, 3, 22, 4, 5, 6, 7, 8, 9, 19, 10, 11, 12, 13, 14, 20, 21, 15, 16, 17, 18]
    assert [r.id for r in record_order(data.records)] == expected
    pdf = render(data)
    ids = [int(m.group(1)) for p in range(1, page_count(pdf) + 1)
           for m in map(ROW.match, page_lines(pdf, tmp_path, p, layout=True)) if m]
    assert ids == expected


def test_excess_and_already_taken_rows_are_tinted(report: bytes, tmp_path: Path) -> None:
    """Read the colour beside each row's number: tinted for #9 (a night with excess) and #19
    (recorded as already taken), white for an ordinary dose."""
    pytest.importorskip("PIL")
    from PIL import Image

    from medtrack.export.pdf_text import ALREADY_ROW, EXCESS_ROW

    path = saved(report, tmp_path)
    for page in range(1, page_count(report) + 1):
        boxes = poppler("pdftotext", "-enc", "UTF-8", "-bbox", "-f", str(page), "-l", str(page), path, "-",
                        errors="replace")  # its <title> has the emoji as two UTF-16 halves
        found = dict(re.findall(r'xMin="4[0-9.]+" yMin="([0-9.]+)" xMax="[0-9.]+" yMax="[0-9.]+">(\d+)</word>',
                                boxes))
        rows = {int(number): float(y) for y, number in found.items()}
        if {8, 9, 19} <= rows.keys():
            break
    else:
        pytest.fail("the rows #8, #9 and #19 are not on one page")
    poppler("pdftoppm", "-r", "72", "-png", "-f", str(page), "-l", str(page), "-singlefile", path,
            str(tmp_path / "page"))
    image = Image.open(tmp_path / "page.png").convert("RGB")

    def colour(number: int) -> tuple[int, ...]:
        value = image.getpixel((60, round(rows[number] + 2)))  # between the # and the night columns
        assert isinstance(value, tuple), value  # red, green, blue
        return value

    assert colour(9) == EXCESS_ROW
    assert colour(19) == ALREADY_ROW
    assert colour(8) == (255, 255, 255)


def test_the_closing_note_speaks_to_the_doctor(text: str, lines: list[str]) -> None:
    note = text[text.index("About this report"):]
    for words in ("entered by the patient", "2 mg for adults, 1 mg from age 65; 1 mg for this patient now",
                  "one dose per night", "at least 12 hours between doses",
                  "the dose window (from two hours before bedtime until the wake time less the minimum sleep: "
                  "20:30 to 23:30 for this patient)", "the prescriber's plan"):
        assert words in note
    last_row = lines.index("21 2026-11-16 2026-11-17 08:30 void cancels #20 Nurse Kim logged twice by mistake")
    assert lines.index("About this report") > last_row


@pytest.mark.slow
def test_the_closing_note_never_stands_alone_on_its_page(tmp_path: Path) -> None:
    """Whatever the table's length, the last page holds the end of the records and the note."""
    base = records()
    last_page_rows = set()
    for extra in range(0, 64, 3):
        recs = base + tuple(dataclasses.replace(base[0], id=100 + i, night=LAST, at=at(20, 23, i % 60),
                                                note=None) for i in range(extra))
        pdf = render(make_data(recs=recs))
        lines = page_lines(pdf, tmp_path, page_count(pdf), layout=True)
        assert "About this report" in lines, extra
        rows = sum(1 for line in lines if ROW.match(line))
        assert rows, f"the note stands alone with {extra} extra records"
        last_page_rows.add(rows)
    assert min(last_page_rows) <= 3 < max(last_page_rows)  # both sides of a page break were tried


@pytest.mark.slow
def test_without_records_the_note_still_follows_the_table_heading(tmp_path: Path) -> None:
    pdf = render(dataclasses.replace(make_data(), records=()))
    lines = page_lines(pdf, tmp_path, page_count(pdf))
    assert "No records in this period." in lines and "About this report" in lines


def night(i: int, state: str, taken: int | None = None, scheduled: int = 1000) -> CalendarNight:
    return CalendarNight(FIRST + dt.timedelta(days=i), scheduled, taken, NightState(state), False)


def test_missed_nights_are_gaps_in_the_chart_never_zero_in_a_mean() -> None:
    from medtrack.export.pdf_chart import bars, nights_per_bar

    week = [night(0, "taken", 1000), night(1, "missed"), night(2, "taken", 1000), night(3, "skipped"),
            night(4, "taken", 500), night(5, "missed"), night(6, "taken", 1000)]
    missed_week = [night(7 + i, "missed") for i in range(7)]
    nights = week + missed_week
    nightly = bars(nights, 1)
    assert [b.mean_ug for b in nightly[:7]] == [1000, None, 1000, None, 500, None, 1000]
    weekly = bars(nights, 7)
    assert weekly[0].mean_ug == 875  # the four nights with a dose, not 3500 mg over 7 nights
    assert weekly[1].mean_ug is None  # a week without any dose: a gap
    assert nights_per_bar(731) == 1  # two years are drawn night by night, each missed night a gap
    assert nights_per_bar(3650) == 28


def test_every_step_is_labelled_and_close_labels_stack() -> None:
    from medtrack.export.pdf_chart import label_rows, step_labels

    doses = [1000, 1000, 1000, 750, 500, 250, 250, 0]
    nights = [CalendarNight(FIRST + dt.timedelta(days=i), ug or None, None, NightState.FUTURE,
                            i > 0 and ug != doses[i - 1]) for i, ug in enumerate(doses)]
    assert step_labels(nights) == [(0, "1 mg"), (3, "0.75 mg"), (4, "0.5 mg"), (5, "0.25 mg"), (7, "stop")]
    spans = [(0, 10), (5, 15), (12, 20), (17, 19), (30, 40)]
    rows = label_rows(spans)
    assert rows == [0, 1, 0, 1, 0]
    for row in set(rows):  # no two labels in a row overlap
        mine = sorted(span for span, r in zip(spans, rows, strict=True) if r == row)
        assert all(a[1] < b[0] for a, b in pairwise(mine))


def test_the_chart_labels_the_first_step_too(lines: list[str]) -> None:
    start = lines.index("Scheduled and taken dose per night")
    chart = lines[start:start + 12]
    assert any(re.search(r"(^| )1 mg( |$)", line) for line in chart)  # the step in force on the first night
    assert any("0.75 mg" in line for line in chart)


@pytest.mark.slow
def test_the_same_data_gives_the_same_bytes_in_any_process(tmp_path: Path) -> None:
    """Fonts load as characters first need them: in text order, never in a hash-seeded set order."""
    name = f"{SCRIPTS} {UNDRAWABLE} 😀"
    script = (f"import hashlib, io, sys; sys.path.insert(0, {str(HERE)!r})\n"
              "from test_pdf import make_data\nfrom medtrack.export.pdf import write_pdf\n"
              f"s = io.BytesIO(); write_pdf(make_data(name={name!r}), s)\n"
              "print(hashlib.sha256(s.getvalue()).hexdigest())\n")
    digests = {subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, text=True,
                              env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}).stdout.strip()
               for seed in ("1", "2")}
    assert digests == {hashlib.sha256(render(make_data(name=name))).hexdigest()}


def test_the_fallback_fonts_ship_with_their_licences() -> None:
    fonts = HERE.parents[1] / "data" / "fonts"
    licences = " ".join(p.read_text(encoding="utf-8") for p in fonts.glob("LICENSE*")).replace(" ", "")
    shipped = {font.name for font in fonts.glob("*.ttf")}
    assert {"NotoSansArabic-Regular.ttf", "NotoSansHebrew-Regular.ttf", "DroidSansFallback-CJK.ttf"} <= shipped
    for name in shipped:
        assert name.split("-")[0].removesuffix(".ttf") in licences, name
