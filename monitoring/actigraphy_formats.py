"""Readers for wrist-actigraphy export files (pure: no Django), each returning the input of
`monitoring.actigraphy`: a Series of activity counts indexed by tz-aware minute timestamps
(missing minutes NaN), plus the file's metadata.

Formats (`FORMATS`; `read_actigraphy(..., format="auto")` recognises them from their first
lines; gzip-compressed files are read as they are):

- ``csv``: the depresjon data set's CSV (Garcia-Ceja et al. 2018), header
  ``timestamp,date,activity``, one line a minute, ``YYYY-MM-DD HH:MM:SS`` local wall time,
  ``date`` the same day, ``activity`` a non-negative integer count (an empty field is a
  missing minute). Minutes without a line are missing.
- ``actiwatch``: Actiwatch ``.AWD`` (Cambridge Neurotechnology / Philips Respironics Actiware
  export): 7 header lines (subject, start date ``DD-Mon-YYYY``, start time ``HH:MM``, epoch
  code -- 1: 15 s, 2: 30 s, 4: 1 min, 81: 2 s, C1: 5 s, C2: 10 s --, age, device serial whose
  first letter is the model, sex), then one line per epoch: the count, optionally a second
  channel after a comma (light, sound...) and an ``M`` event marker. Times are start + epochs.
- ``actigraph``: ActiGraph ActiLife epoch CSV: a 10-line header (``------------ Data File
  Created By ActiGraph ... date format M/d/yyyy ...``, ``Serial Number:``, ``Start Time``,
  ``Start Date``, ``Epoch Period (hh:mm:ss)``, download time and date, memory address,
  battery voltage, a dashed line), then optionally a column header line (``Date,Time,Axis1,
  Axis2,Axis3,Steps,...``), then one line per epoch. Counts are ``Axis1`` (the vertical axis,
  the one Cole-Kripke and Sadeh were fitted on) unless `axis` names another column; times are
  the ``Date``/``Time`` columns when present, else start + epochs.

Epochs shorter than a minute are summed into minutes (a minute missing any of its epochs is
missing); longer epochs are refused. Wall-clock times are placed in `tz`: a file whose clock
follows the clocks' changes (a skipped hour, a repeated hour) is localized as it reads; a
device clock that runs straight through a change (Actiwatch, ActiGraph without dates, or a CSV
whose minutes run on without the skip or repeat) is taken as the device's: its start is
localized and the epochs are real elapsed time (`metadata["clock"] == "device"`).

Malformed input raises `ActigraphyFormatError` naming the line."""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

FORMATS = ("csv", "actiwatch", "actigraph")

AWD_EPOCH_SECONDS = {"81": 2, "C1": 5, "C2": 10, "1": 15, "2": 30, "4": 60, "8": 120, "20": 300}
AWD_MODELS = {
    "D": "Actiwatch-7",
    "I": "Actiwatch-Insomnia",
    "L": "Actiwatch-L",
    "M": "Actiwatch-Mini",
    "P": "Actiwatch-L-Plus",
    "S": "Actiwatch-S",
    "T": "Actiwatch-T",
    "V": "Actiwatch-4",
}
ACTIGRAPH_BANNER = "------------ Data File Created By ActiGraph"
DEPRESJON_HEADER = ["timestamp", "date", "activity"]


class ActigraphyFormatError(ValueError):
    """A file that does not follow its format; `line` is 1-based (None: the whole file)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(frozen=True)
class ActigraphyRecording:
    counts: pd.Series  # float64 counts on tz-aware minute timestamps, NaN = missing
    metadata: dict[str, Any] = field(default_factory=dict)


def read_actigraphy(
    source: str | Path | bytes,
    *,
    tz: str | tzinfo,
    format: str = "auto",  # noqa: A002  (the command's option is --format too)
    axis: str = "Axis1",
) -> ActigraphyRecording:
    """Read one export file (a path, or its bytes) in `format` ("auto" recognises it)."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ActigraphyFormatError(f"damaged gzip file: {exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return parse_actigraphy(text, tz=tz, format=format, axis=axis)


def parse_actigraphy(text: str, *, tz: str | tzinfo, format: str = "auto", axis: str = "Axis1") -> ActigraphyRecording:  # noqa: A002
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ActigraphyFormatError("the file is empty")
    kind = detect_format(lines) if format == "auto" else format
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    if kind == "csv":
        return _depresjon_csv(lines, zone)
    if kind == "actiwatch":
        return _actiwatch(lines, zone)
    if kind == "actigraph":
        return _actigraph(lines, zone, axis)
    raise ValueError(f"unknown actigraphy format {kind!r}: one of auto, {', '.join(FORMATS)}")


def detect_format(lines: list[str]) -> str:
    first = lines[0].strip()
    if first.startswith(ACTIGRAPH_BANNER):
        return "actigraph"
    if [cell.strip().lower() for cell in first.split(",")] == DEPRESJON_HEADER:
        return "csv"
    if len(lines) >= 7 and _parse(lines[1].strip(), "%d-%b-%Y") and _awd_time(lines[2]):
        return "actiwatch"
    raise ActigraphyFormatError(
        "unrecognised actigraphy file: expected a depresjon CSV header (timestamp,date,activity), "
        "an Actiwatch AWD header (subject, DD-Mon-YYYY, HH:MM, epoch code...) or an ActiGraph "
        "CSV banner",
        line=1,
    )


def _parse(value: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(value, fmt)  # noqa: DTZ007  (wall time; localized later)
    except ValueError:
        return None


def _awd_time(line: str) -> datetime | None:
    value = " ".join(line.split())
    for fmt in ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p"):
        if parsed := _parse(value, fmt):
            return parsed
    return None


# --- the depresjon CSV -------------------------------------------------------------------------


def _depresjon_csv(lines: list[str], zone: tzinfo) -> ActigraphyRecording:
    header = [cell.strip().lower() for cell in lines[0].split(",")]
    if header != DEPRESJON_HEADER:
        raise ActigraphyFormatError(f"expected the header 'timestamp,date,activity', found {lines[0]!r}", line=1)
    body = lines[1:]
    if not body:
        raise ActigraphyFormatError("no data lines after the header", line=1)
    line_no = np.arange(2, len(lines) + 1)
    _fail_first(_comma_counts(body) != 2, line_no, "expected 3 comma-separated fields: timestamp,date,activity", body)
    # Every line has 3 fields: the C parser reads them as text, then each column is checked.
    cells = pd.read_csv(
        io.StringIO("\n".join(body)),
        header=None,
        names=DEPRESJON_HEADER,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
        skipinitialspace=True,
        engine="c",
    )
    stamps = pd.to_datetime(cells["timestamp"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    _fail_first(stamps.isna().to_numpy(), line_no, "timestamp is not YYYY-MM-DD HH:MM:SS", body)
    days = pd.to_datetime(cells["date"], format="%Y-%m-%d", errors="coerce")
    _fail_first((days != stamps.dt.normalize()).to_numpy(), line_no, "date is not the timestamp's date", body)
    activity_text = cells["activity"].str.strip()
    activity = pd.to_numeric(activity_text, errors="coerce")
    bad = (activity.isna() & (activity_text != "")) | (activity < 0) | (activity.notna() & (activity % 1 != 0))
    _fail_first(bad.to_numpy(), line_no, "activity is not a non-negative whole count", body)
    _fail_first((stamps.dt.second != 0).to_numpy(), line_no, "timestamp is not on a whole minute", body)
    wall = pd.DatetimeIndex(stamps)
    counts, clock = _localize_rows(wall, activity.to_numpy(dtype="float64"), zone, line_no, epoch_seconds=60)
    return _recording(counts, clock, zone, format="csv", epoch_seconds=60, lines=len(lines))


# --- Actiwatch AWD -------------------------------------------------------------------------------

_AWD_LINE = re.compile(r"^\s*(\d+)\s*(?:,\s*-?\d+(?:\.\d*)?)?\s*(?:M)?\s*$")


def _actiwatch(lines: list[str], zone: tzinfo) -> ActigraphyRecording:
    if len(lines) < 8:
        raise ActigraphyFormatError("an AWD file has 7 header lines, then one line per epoch", line=len(lines))
    subject = lines[0].strip()
    start_date = _parse(lines[1].strip(), "%d-%b-%Y")
    if start_date is None:
        raise ActigraphyFormatError(f"start date is not DD-Mon-YYYY: {lines[1].strip()!r}", line=2)
    start_time = _awd_time(lines[2])
    if start_time is None:
        raise ActigraphyFormatError(f"start time is not HH:MM: {lines[2].strip()!r}", line=3)
    code = lines[3].strip()
    if code not in AWD_EPOCH_SECONDS:
        raise ActigraphyFormatError(
            f"unknown epoch code {code!r} (known: {', '.join(AWD_EPOCH_SECONDS)})",
            line=4,
        )
    epoch = AWD_EPOCH_SECONDS[code]
    if epoch > 60:
        raise ActigraphyFormatError(f"epochs of {epoch} s: only epochs of up to 1 minute can be read", line=4)
    serial = lines[5].strip()
    body = pd.Series(lines[7:], dtype="object")
    line_no = np.arange(8, len(lines) + 1)
    parsed = body.str.extract(_AWD_LINE, expand=False)
    _fail_first(parsed.isna().to_numpy(), line_no, "expected an epoch line: a count [, second channel] [M]", body)
    values = parsed.astype("float64").to_numpy()
    start = datetime.combine(start_date.date(), start_time.time())
    counts = _device_clock(start, epoch, values, zone, line=3)
    return _recording(
        counts,
        "device",
        zone,
        format="actiwatch",
        epoch_seconds=epoch,
        lines=len(lines),
        subject=subject,
        serial=serial,
        device=AWD_MODELS.get(serial[:1].upper(), "Actiwatch"),
    )


# --- ActiGraph CSV -------------------------------------------------------------------------------


def _actigraph(lines: list[str], zone: tzinfo, axis: str) -> ActigraphyRecording:
    if len(lines) < 11:
        raise ActigraphyFormatError("an ActiGraph CSV has a 10-line header, then the epochs", line=len(lines))
    banner = lines[0].strip()
    if not banner.startswith(ACTIGRAPH_BANNER):
        raise ActigraphyFormatError(f"expected the banner {ACTIGRAPH_BANNER!r}", line=1)
    match = re.search(r"date format (\S+)", banner)
    date_format = _strptime_format(match.group(1)) if match else "%m/%d/%Y"
    device = re.search(r"ActiGraph (\S+)", banner)
    fields: dict[str, str] = {}
    for number, (label, pattern) in enumerate(
        (
            ("serial", r"^Serial Number:\s*(.+)$"),
            ("start_time", r"^Start Time\s+(\S+)$"),
            ("start_date", r"^Start Date\s+(\S+)$"),
            ("epoch", r"^Epoch Period \(hh:mm:ss\)\s+(\S+)$"),
        ),
        start=2,
    ):
        found = re.match(pattern, lines[number - 1].strip())
        if not found:
            raise ActigraphyFormatError(f"expected {pattern[1:].split(chr(92))[0].strip()!r} here", line=number)
        fields[label] = found.group(1).strip()
    if not set(lines[9].strip()) <= {"-"} or not lines[9].strip():
        raise ActigraphyFormatError("expected the dashed line that ends the header", line=10)
    start_date = _parse(fields["start_date"], date_format)
    if start_date is None:
        raise ActigraphyFormatError(f"start date {fields['start_date']!r} does not match {date_format}", line=4)
    start_time = _parse(fields["start_time"], "%H:%M:%S")
    if start_time is None:
        raise ActigraphyFormatError(f"start time {fields['start_time']!r} is not HH:MM:SS", line=3)
    epoch_time = _parse(fields["epoch"], "%H:%M:%S")
    if epoch_time is None:
        raise ActigraphyFormatError(f"epoch period {fields['epoch']!r} is not hh:mm:ss", line=5)
    epoch = epoch_time.hour * 3600 + epoch_time.minute * 60 + epoch_time.second
    if epoch <= 0 or epoch > 60 or 60 % epoch:
        raise ActigraphyFormatError(f"epochs of {epoch} s: only epochs dividing 1 minute can be read", line=5)

    first_data = 11
    first_cells = [cell.strip().strip('"') for cell in lines[10].split(",")]
    if first_cells and not _is_number(first_cells[0]) and _parse(first_cells[0], date_format) is None:
        columns = first_cells
        first_data = 12
    elif _parse(first_cells[0], date_format) is not None:
        columns = ["Date", "Time", "Axis1", "Axis2", "Axis3"]
    else:
        columns = ["Axis1", "Axis2", "Axis3"]
    lowered = [column.lower() for column in columns]
    if axis.lower() not in lowered:
        raise ActigraphyFormatError(f"no {axis!r} column (columns: {', '.join(columns)})", line=first_data - 1)
    column = lowered.index(axis.lower())
    body = pd.Series(lines[first_data - 1 :], dtype="object")
    if body.empty:
        raise ActigraphyFormatError("no epoch lines after the header", line=len(lines))
    line_no = np.arange(first_data, len(lines) + 1)
    cells = body.str.split(",", expand=True)
    needed = max(column, 1 if "date" in lowered else 0) + 1
    if cells.shape[1] < needed:
        raise ActigraphyFormatError(f"expected at least {needed} comma-separated fields", line=first_data)
    _fail_first(
        cells[needed - 1].isna().to_numpy(), line_no, f"expected at least {needed} comma-separated fields", body
    )
    cells = cells.apply(lambda column: column.str.strip().str.strip('"'))  # ActiLife may quote fields
    count_text = cells[column]
    values = pd.to_numeric(count_text, errors="coerce")
    bad = values.isna() | (values < 0)
    _fail_first(bad.to_numpy(), line_no, f"{columns[column]} is not a non-negative count", body)
    metadata = {
        "serial": fields["serial"],
        "device": f"ActiGraph {device.group(1)}" if device else "ActiGraph",
        "axis": columns[column],
    }
    start = datetime.combine(start_date.date(), start_time.time())
    if "date" in lowered and "time" in lowered:
        stamp_text = cells[lowered.index("date")] + " " + cells[lowered.index("time")]
        stamps = pd.to_datetime(stamp_text, format=f"{date_format} %H:%M:%S", errors="coerce")
        _fail_first(stamps.isna().to_numpy(), line_no, f"date/time does not match {date_format} HH:MM:SS", body)
        counts, clock = _localize_rows(pd.DatetimeIndex(stamps), values.to_numpy("float64"), zone, line_no, epoch)
    else:
        counts, clock = _device_clock(start, epoch, values.to_numpy("float64"), zone, line=3), "device"
    return _recording(counts, clock, zone, format="actigraph", epoch_seconds=epoch, lines=len(lines), **metadata)


def _strptime_format(actilife: str) -> str:
    """ActiLife's date format (M/d/yyyy, dd/MM/yyyy, yyyy-MM-dd...) as a strptime format."""
    out = re.sub(r"y{4}", "%Y", actilife)
    out = re.sub(r"M{1,2}", "%m", out)
    return re.sub(r"d{1,2}", "%d", out)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


# --- shared steps --------------------------------------------------------------------------------


def _comma_counts(lines: list[str]) -> np.ndarray:
    """The number of commas on each line (vectorized over the joined text's bytes)."""
    data = np.frombuffer("\n".join(lines).encode("utf-8"), dtype="uint8")
    line_of_comma = np.searchsorted(np.flatnonzero(data == ord("\n")), np.flatnonzero(data == ord(",")))
    return np.bincount(line_of_comma, minlength=len(lines))


def _fail_first(bad: np.ndarray | bool, line_no: np.ndarray, message: str, body: Sequence[str] | pd.Series) -> None:
    if isinstance(bad, bool | np.bool_):
        if bad:
            raise ActigraphyFormatError(message, line=int(line_no[0]))
        return
    where = np.flatnonzero(bad)
    if len(where):
        i = int(where[0])
        text = body.iloc[i] if isinstance(body, pd.Series) else body[i]
        raise ActigraphyFormatError(f"{message}: {str(text)[:80]!r}", line=int(line_no[i]))


def _localize_rows(
    wall: pd.DatetimeIndex, values: np.ndarray, zone: tzinfo, line_no: np.ndarray, epoch_seconds: int
) -> tuple[pd.Series, str]:
    """Rows with their own wall-clock times, placed in `zone` and in order in real time."""
    wall = wall.as_unit("ns")
    try:
        stamps = wall.tz_localize(zone, ambiguous="infer", nonexistent="raise")
        clock = "wall"
    except Exception as exc:  # pandas raises several types (NonExistentTimeError, AmbiguousTimeError...)
        steps = np.diff(wall.asi8)
        _fail_first(
            np.concatenate(([False], steps <= 0)), line_no, "time is not after the previous line's", _text(wall)
        )
        if np.all(steps == epoch_seconds * 1_000_000_000):
            # The minutes run straight through the change: the device's clock.
            start = _localize_start(wall[0].to_pydatetime(), zone, line=int(line_no[0]))
            stamps = pd.DatetimeIndex(start + pd.to_timedelta(np.arange(len(wall)) * epoch_seconds, unit="s"))
            clock = "device"
        else:
            unplaceable = wall.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").isna()
            i = int(np.flatnonzero(unplaceable)[0]) if unplaceable.any() else 0
            raise ActigraphyFormatError(
                f"local time {wall[i]} cannot be placed in {zone} (clock change): {exc}",
                line=int(line_no[i]),
            ) from exc
    real_steps = np.diff(stamps.as_unit("ns").asi8)
    _fail_first(
        np.concatenate(([False], real_steps <= 0)), line_no, "time is not after the previous line's", _text(wall)
    )
    return _to_minutes(pd.Series(values, index=stamps), epoch_seconds), clock


def _text(wall: pd.DatetimeIndex) -> pd.Series:
    return pd.Series(wall.astype(str))


def _localize_start(start: datetime, zone: tzinfo, *, line: int) -> pd.Timestamp:
    try:
        return pd.Timestamp(start).tz_localize(zone, ambiguous="raise", nonexistent="raise")
    except Exception as exc:
        raise ActigraphyFormatError(
            f"start time {start} does not exist once in {zone} (clock change)", line=line
        ) from exc


def _device_clock(start: datetime, epoch_seconds: int, values: np.ndarray, zone: tzinfo, *, line: int) -> pd.Series:
    first = _localize_start(start, zone, line=line)
    index = pd.DatetimeIndex(first + pd.to_timedelta(np.arange(len(values)) * epoch_seconds, unit="s"))
    return _to_minutes(pd.Series(values, index=index), epoch_seconds)


def _to_minutes(series: pd.Series, epoch_seconds: int) -> pd.Series:
    """Epochs summed into whole UTC minutes (all of a minute's epochs recorded, else NaN), on a
    regular minute grid in the series' zone."""
    zone = series.index.tz
    utc = series.index.tz_convert("UTC")
    minute = utc.floor("min")
    if epoch_seconds == 60 and (minute == utc).all():
        counts = pd.Series(series.to_numpy(), index=utc)
    else:
        frame = pd.DataFrame({"v": series.to_numpy(), "minute": minute})
        grouped = frame.groupby("minute")["v"]
        sums = grouped.sum(min_count=1)
        complete = grouped.count() == 60 // epoch_seconds
        counts = sums.where(complete)
    start, end = counts.index[0], counts.index[-1]
    grid = pd.date_range(start, end, freq="min")
    return counts.reindex(grid).astype("float64").tz_convert(zone).rename("counts")


def _recording(
    counts: pd.Series, clock: str, zone: tzinfo, *, format: str, epoch_seconds: int, lines: int, **extra: Any
) -> ActigraphyRecording:  # noqa: A002
    recorded = int(counts.notna().sum())
    metadata: dict[str, Any] = {
        "format": format,
        "epoch_seconds": epoch_seconds,
        "timezone": str(zone),
        "clock": clock,
        "lines": lines,
        "start": counts.index[0].isoformat() if len(counts) else None,
        "end": (counts.index[-1] + timedelta(minutes=1)).isoformat() if len(counts) else None,
        "minutes": len(counts),
        "recorded_minutes": recorded,
        "missing_minutes": len(counts) - recorded,
        **extra,
    }
    return ActigraphyRecording(counts=counts, metadata=metadata)
