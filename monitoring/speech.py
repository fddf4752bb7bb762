"""Voice-diary features from a WAV recording, with Praat (praat-parselmouth). Pure: audio in,
numbers out; no Django.

- pitch: Praat's autocorrelation pitch (75-500 Hz); mean and standard deviation of the
  voiced frames, in Hz.
- loudness (`energy_db`): mean intensity (dB, Praat's scale) of the sounding frames.
- pause ratio: the share of time between the first and the last sounding frame that is
  silent (intensity more than 25 dB below the loudest frame, Praat's default silence threshold).
- speech rate proxy: syllable nuclei counted as in de Jong & Wempe (2009): intensity peaks
  above the silence threshold, separated by a dip of at least 2 dB and voiced; syllables per
  minute of speaking time (first to last sounding frame) divided by 1.5 syllables per word,
  capped at 400 words per minute. A proxy that follows changes in one person's rate over
  time, not a transcription."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

if TYPE_CHECKING:
    import parselmouth

MIN_SECONDS = 1.0
MAX_SECONDS = 180.0
MAX_BYTES = 16 * 1024 * 1024
SAMPLE_RATES = (8_000, 48_000)
SILENCE_DB = 25.0
MIN_DIP_DB = 2.0
SYLLABLES_PER_WORD = 1.5
PITCH_FLOOR, PITCH_CEILING = 75.0, 500.0


@dataclass(frozen=True)
class WavInfo:
    channels: int
    sample_width: int
    sample_rate: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


@dataclass(frozen=True)
class Features:
    duration: timedelta
    speech_rate_wpm: float
    pause_ratio: float
    pitch_mean_hz: float
    pitch_sd_hz: float
    energy_db: float


def wav_info(handle: BinaryIO) -> WavInfo:
    """The header of a PCM WAV file, checked against the audio the file holds; ValueError, in
    words for the user, if it is not a WAV file or declares more audio than it has (a header
    saying 170 s over 3 s of samples must not be stored as 170 s)."""
    handle.seek(0)
    try:
        with wave.open(handle, "rb") as wav:
            info = WavInfo(wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes())
            # wave.open stops right after the data chunk's header: the samples start here.
            data_start = handle.tell()
        data_bytes = handle.seek(0, 2) - data_start
    except (wave.Error, EOFError, OSError) as exc:
        raise ValueError("Not a readable WAV file: send uncompressed PCM WAV (RIFF/WAVE).") from exc
    finally:
        handle.seek(0)
    if info.channels not in (1, 2) or info.sample_width not in (1, 2, 3, 4):
        raise ValueError("Send mono or stereo PCM WAV with 8, 16, 24 or 32-bit samples.")
    if not SAMPLE_RATES[0] <= info.sample_rate <= SAMPLE_RATES[1]:
        raise ValueError(f"The sample rate must be between {SAMPLE_RATES[0]} and {SAMPLE_RATES[1]} Hz.")
    held = data_bytes // (info.channels * info.sample_width)
    if held < info.frames:
        raise ValueError(
            f"The WAV header declares {info.duration_s:.1f} s of audio but the file holds "
            f"{held / info.sample_rate:.1f} s: send the whole recording."
        )
    return info


def read_wav(handle: BinaryIO) -> tuple[np.ndarray, int]:
    """Mono samples in [-1, 1] and the sample rate."""
    info = wav_info(handle)
    with wave.open(handle, "rb") as wav:
        raw = wav.readframes(info.frames)
    handle.seek(0)
    width = info.sample_width
    if width == 1:
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    elif width == 3:
        bytes3 = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        ints = (
            bytes3[:, 0].astype(np.int32) | (bytes3[:, 1].astype(np.int32) << 8) | (bytes3[:, 2].astype(np.int32) << 16)
        )
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        samples = ints.astype(np.float64) / float(1 << 23)
    else:
        dtype = np.int16 if width == 2 else np.int32
        samples = np.frombuffer(raw, dtype=dtype).astype(np.float64) / float(np.iinfo(dtype).max)
    if info.channels == 2:
        samples = samples.reshape(-1, 2).mean(axis=1)
    return samples, info.sample_rate


def _syllable_nuclei(levels: np.ndarray, times: np.ndarray, threshold: float, pitch: parselmouth.Pitch) -> int:
    peaks = [
        i
        for i in range(1, len(levels) - 1)
        if levels[i] > threshold and levels[i] > levels[i - 1] and levels[i] >= levels[i + 1]
    ]
    kept: list[int] = []
    for i in peaks:
        if kept:
            previous = kept[-1]
            dip = float(levels[previous : i + 1].min())
            if levels[i] - dip < MIN_DIP_DB or levels[previous] - dip < MIN_DIP_DB:
                # No real dip between them: one syllable; keep the louder peak.
                if levels[i] > levels[previous]:
                    kept[-1] = i
                continue
        kept.append(i)
    voiced = 0
    for i in kept:
        f0 = pitch.get_value_at_time(float(times[i]))
        if f0 == f0 and f0 > 0:  # not NaN: a voiced frame
            voiced += 1
    return voiced


def extract_features(handle: BinaryIO) -> Features:
    samples, rate = read_wav(handle)
    if not np.any(samples):
        raise ValueError("The recording is silent.")
    # Praat is ~100 MB of native code: loaded by the process that analyses a recording (a
    # worker), not by every process that imports ingestion (web, scoring, commands).
    import parselmouth

    sound = parselmouth.Sound(samples, sampling_frequency=rate)
    pitch = sound.to_pitch(time_step=0.01, pitch_floor=PITCH_FLOOR, pitch_ceiling=PITCH_CEILING)
    f0 = pitch.selected_array["frequency"]
    voiced = f0[f0 > 0]
    if voiced.size < 10:
        raise ValueError("No voiced speech was found in the recording.")
    intensity = sound.to_intensity(minimum_pitch=PITCH_FLOOR, time_step=0.01)
    levels = intensity.values[0]
    times = intensity.xs()
    threshold = float(levels.max()) - SILENCE_DB
    sounding = np.flatnonzero(levels > threshold)
    first, last = int(sounding[0]), int(sounding[-1])
    span = levels[first : last + 1]
    pause_ratio = float(np.mean(span <= threshold))
    speaking_s = max(float(times[last] - times[first]), 0.01)
    nuclei = _syllable_nuclei(levels, times, threshold, pitch)
    words_per_minute = min(400.0, nuclei / speaking_s * 60.0 / SYLLABLES_PER_WORD)
    return Features(
        duration=timedelta(seconds=round(sound.duration, 3)),
        speech_rate_wpm=round(words_per_minute, 2),
        pause_ratio=round(pause_ratio, 4),
        pitch_mean_hz=round(float(np.clip(voiced.mean(), 50.0, 500.0)), 2),
        pitch_sd_hz=round(float(voiced.std()), 2),
        energy_db=round(float(levels[levels > threshold].mean()), 2),
    )
