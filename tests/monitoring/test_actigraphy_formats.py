"""monitoring.actigraphy_formats: the depresjon CSV (a real file of the data set, and made-up
ones), Actiwatch AWD and ActiGraph CSV (small files written from their documented layouts,
tests/monitoring/fixtures/), `auto` detection, clock changes, gaps, and malformed input with
its line number."""

import gzip
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitoring.actigraphy import daily_activity
from monitoring.actigraphy_formats import ActigraphyFormatError, parse_actigraphy, read_actigraphy

FIXTURES = Path(__file__).parent / "fixtures"
DEPRESJON = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "depresjon"
OSLO = "Europe/Oslo"


def csv_text(rows: list[str]) -> str:
    return "\n".join(["timestamp,date,activity", *rows]) + "\n"


# --- the depresjon CSV -------------------------------------------------------------------------


def test_a_real_depresjon_file_reads_as_a_gap_free_minute_series() -> None:
    recording = read_actigraphy(DEPRESJON / "condition" / "condition_1.csv.gz", tz=OSLO)

    counts = recording.counts
    assert recording.metadata["format"] == "csv"
    assert recording.metadata["clock"] == "wall"
    assert recording.metadata["minutes"] == 23244 == len(counts)
    assert recording.metadata["missing_minutes"] == 0
    assert str(counts.index.tz) == OSLO
    assert counts.index[0] == pd.Timestamp("2003-05-07 12:00", tz=OSLO)
    assert counts.iloc[:4].tolist() == [0.0, 143.0, 0.0, 20.0]
    assert (counts.index.to_series().diff().dropna() == pd.Timedelta("1min")).all()


def test_auto_detects_each_format() -> None:
    assert read_actigraphy(FIXTURES / "actiwatch_sample.AWD", tz=OSLO).metadata["format"] == "actiwatch"
    assert read_actigraphy(FIXTURES / "actigraph_sample.csv", tz=OSLO).metadata["format"] == "actigraph"
    assert read_actigraphy(FIXTURES / "depresjon_spring_forward.csv", tz=OSLO).metadata["format"] == "csv"
    gz = gzip.compress((FIXTURES / "actiwatch_sample.AWD").read_bytes())
    assert read_actigraphy(gz, tz=OSLO).metadata["format"] == "actiwatch"


def test_missing_lines_and_empty_counts_stay_missing() -> None:
    text = csv_text(
        [
            "2026-05-04 10:00:00,2026-05-04,5",
            "2026-05-04 10:01:00,2026-05-04,",
            "2026-05-04 10:04:00,2026-05-04,0",
        ]
    )

    counts = parse_actigraphy(text, tz=OSLO).counts

    assert len(counts) == 5
    assert counts.iloc[0] == 5.0 and counts.iloc[4] == 0.0
    assert counts.iloc[1:4].isna().all()


def test_a_csv_through_the_spring_forward_night_keeps_real_minutes() -> None:
    # Wall clock 01:57, 01:58, 01:59, then 03:00: one minute apart in real time.
    recording = read_actigraphy(FIXTURES / "depresjon_spring_forward.csv", tz=OSLO)

    assert recording.metadata["clock"] == "wall"
    assert len(recording.counts) == 6 and recording.counts.notna().all()
    assert recording.counts.index[3] == pd.Timestamp("2026-03-29 03:00", tz=OSLO)
    assert recording.counts.index[3] - recording.counts.index[2] == pd.Timedelta("1min")


def test_a_csv_with_the_repeated_fall_back_hour_gives_a_25_hour_day() -> None:
    wall = pd.date_range("2026-10-25 00:00", "2026-10-25 02:59", freq="min").append(
        pd.date_range("2026-10-25 02:00", "2026-10-25 23:59", freq="min")
    )
    rows = [f"{t:%Y-%m-%d %H:%M:%S},{t:%Y-%m-%d},1" for t in wall]

    recording = parse_actigraphy(csv_text(rows), tz=OSLO)
    day = daily_activity(recording.counts, OSLO).loc[date(2026, 10, 25)]

    assert recording.metadata["clock"] == "wall"
    assert day["day_minutes"] == day["wear_minutes"] == 1500


def test_a_device_clock_running_through_the_change_is_taken_as_elapsed_time() -> None:
    # Minutes that run straight through 02:00-02:59 on the spring-forward night: those wall
    # times do not exist in Oslo, so the clock is the device's.
    wall = pd.date_range("2026-03-29 01:00", "2026-03-29 04:00", freq="min", inclusive="left")
    rows = [f"{t:%Y-%m-%d %H:%M:%S},{t:%Y-%m-%d},2" for t in wall]

    recording = parse_actigraphy(csv_text(rows), tz=OSLO)

    assert recording.metadata["clock"] == "device"
    assert len(recording.counts) == 180
    assert recording.counts.index[-1] == pd.Timestamp("2026-03-29 04:59", tz=OSLO)


@pytest.mark.parametrize(
    ("rows", "line", "message"),
    [
        (["2026-05-04 10:00:00,2026-05-04,5", "2026-05-04 10:01:00,2026-05-04"], 3, "3 comma-separated fields"),
        (["2026-05-04 10:00:00,2026-05-04,5", "04/05/2026 10:01,2026-05-04,1"], 3, "YYYY-MM-DD HH:MM:SS"),
        (["2026-05-04 10:00:00,2026-05-04,5", "2026-05-04 10:01:00,2026-05-05,1"], 3, "timestamp's date"),
        (["2026-05-04 10:00:00,2026-05-04,five"], 2, "non-negative whole count"),
        (["2026-05-04 10:00:00,2026-05-04,-3"], 2, "non-negative whole count"),
        (["2026-05-04 10:00:00,2026-05-04,1", "2026-05-04 10:00:00,2026-05-04,1"], 3, "after the previous"),
        (["2026-05-04 10:00:30,2026-05-04,1"], 2, "whole minute"),
    ],
)
def test_malformed_csv_names_its_line(rows: list[str], line: int, message: str) -> None:
    with pytest.raises(ActigraphyFormatError, match=message) as error:
        parse_actigraphy(csv_text(rows), tz=OSLO, format="csv")
    assert error.value.line == line
    assert str(error.value).startswith(f"line {line}: ")


def test_a_wrong_header_or_an_unknown_file_is_refused_at_line_1() -> None:
    with pytest.raises(ActigraphyFormatError) as error:
        parse_actigraphy("time,activity\n2026-05-04 10:00:00,1\n", tz=OSLO, format="csv")
    assert error.value.line == 1
    with pytest.raises(ActigraphyFormatError, match="unrecognised") as error:
        parse_actigraphy("hello\nworld\n", tz=OSLO)
    assert error.value.line == 1
    with pytest.raises(ActigraphyFormatError, match="empty"):
        parse_actigraphy("\n\n", tz=OSLO)


# --- Actiwatch AWD -----------------------------------------------------------------------------


def test_actiwatch_awd() -> None:
    recording = read_actigraphy(FIXTURES / "actiwatch_sample.AWD", tz=OSLO, format="actiwatch")

    meta = recording.metadata
    assert meta["subject"] == "TEST-SUBJECT"
    assert meta["serial"] == "V0000001" and meta["device"] == "Actiwatch-4"
    assert meta["epoch_seconds"] == 60 and meta["clock"] == "device"
    # 12 minutes from 23:55 on 28 March 2026; the marker "M" on the fifth line is ignored.
    assert recording.counts.tolist() == [0, 12, 0, 3, 250, 98, 0, 0, 41, 7, 0, 0]
    assert recording.counts.index[0] == pd.Timestamp("2026-03-28 23:55", tz=OSLO)
    assert recording.counts.index[-1] == pd.Timestamp("2026-03-29 00:06", tz=OSLO)


def test_actiwatch_30_second_epochs_with_a_light_channel_sum_into_minutes() -> None:
    recording = read_actigraphy(FIXTURES / "actiwatch_30s_light.AWD", tz=OSLO)

    assert recording.metadata["epoch_seconds"] == 30
    assert recording.metadata["device"] == "Actiwatch-7"
    assert recording.counts.tolist() == [3.0, 30.0, 0.0, 10.0]
    assert recording.counts.index[0] == pd.Timestamp("2026-03-02 08:00", tz=OSLO)


def awd(*lines: str) -> str:
    return "\r\n".join(["SUBJ", "28-Mar-2026", "23:55", " 4", "42", "V0000001", "F", *lines]) + "\r\n"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (awd("1", "2", "x3", "4").replace("28-Mar-2026", "28-Mar-2026"), 10, "epoch line"),
        (awd("1", "2", "", "4"), 10, "epoch line"),
        (awd("1", "-2"), 9, "epoch line"),
        (awd("1").replace(" 4\r\n", " 7\r\n", 1), 4, "unknown epoch code"),
        (awd("1").replace(" 4\r\n", " 8\r\n", 1), 4, "up to 1 minute"),
        (awd("1").replace("23:55", "25:99"), 3, "start time"),
    ],
)
def test_malformed_awd_names_its_line(text: str, line: int, message: str) -> None:
    with pytest.raises(ActigraphyFormatError, match=message) as error:
        parse_actigraphy(text, tz=OSLO, format="actiwatch")
    assert error.value.line == line


def test_an_awd_start_date_that_is_not_a_date_is_refused() -> None:
    with pytest.raises(ActigraphyFormatError, match="DD-Mon-YYYY") as error:
        parse_actigraphy(awd("1").replace("28-Mar-2026", "2026-03-28"), tz=OSLO, format="actiwatch")
    assert error.value.line == 2


# --- ActiGraph CSV -----------------------------------------------------------------------------


def test_actigraph_csv_with_column_headers_and_dates() -> None:
    recording = read_actigraphy(FIXTURES / "actigraph_sample.csv", tz=OSLO)

    meta = recording.metadata
    assert meta["device"] == "ActiGraph GT3X+"
    assert meta["serial"] == "NEO0000000001"
    assert meta["axis"] == "Axis1" and meta["epoch_seconds"] == 60 and meta["clock"] == "wall"
    assert recording.counts.tolist() == [5, 0, 120, 33, 0, 0, 8, 15]
    # d/M/yyyy: 28 March, not a 3rd of the 28th month.
    assert recording.counts.index[0] == pd.Timestamp("2026-03-28 23:58", tz=OSLO)


def test_actigraph_csv_another_axis() -> None:
    recording = read_actigraphy(FIXTURES / "actigraph_sample.csv", tz=OSLO, axis="Vector Magnitude")

    assert recording.metadata["axis"] == "Vector Magnitude"
    assert recording.counts.iloc[2] == pytest.approx(np.sqrt(120**2 + 60**2 + 40**2), abs=0.005)


def test_actigraph_csv_without_headers_15_second_epochs() -> None:
    recording = read_actigraphy(FIXTURES / "actigraph_15s_noheader.csv", tz=OSLO)

    assert recording.metadata["epoch_seconds"] == 15 and recording.metadata["clock"] == "device"
    assert recording.counts.tolist() == [10.0, 20.0]
    assert recording.counts.index[0] == pd.Timestamp("2026-03-02 23:58", tz=OSLO)  # M/d/yyyy


def test_actigraph_csv_with_quoted_fields() -> None:
    lines = [
        line if i < 11 else ",".join(f'"{cell}"' for cell in line.split(","))
        for i, line in enumerate(actigraph_lines())
    ]

    recording = parse_actigraphy("\n".join(lines), tz=OSLO)

    assert recording.counts.tolist() == [5, 0, 120, 33, 0, 0, 8, 15]


def actigraph_lines() -> list[str]:
    return (FIXTURES / "actigraph_sample.csv").read_text().splitlines()


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        ((2, "Serial: X"), 2, "Serial Number"),
        ((4, "Start Date 31/31/2026"), 4, "does not match"),
        ((5, "Epoch Period (hh:mm:ss) 00:02:00"), 5, "dividing 1 minute"),
        ((10, "=========="), 10, "dashed line"),
        ((14, "28/3/2026,00:01:00,abc,0,0"), 14, "Axis1 is not a non-negative count"),
        ((15, "2026-03-29,00:02:00,0,0,0"), 15, "date/time does not match"),
    ],
)
def test_malformed_actigraph_csv_names_its_line(edit: tuple[int, str], line: int, message: str) -> None:
    lines = actigraph_lines()
    number, text = edit
    lines[number - 1] = text

    with pytest.raises(ActigraphyFormatError, match=message) as error:
        parse_actigraphy("\n".join(lines), tz=OSLO, format="actigraph")
    assert error.value.line == line


def test_an_unknown_axis_is_refused() -> None:
    with pytest.raises(ActigraphyFormatError, match="no 'Axis9' column"):
        read_actigraphy(FIXTURES / "actigraph_sample.csv", tz=OSLO, axis="Axis9")
