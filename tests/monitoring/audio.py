"""Synthetic voice-like audio for the speech tests: a harmonic tone at a given pitch, shaped
into syllables and phrases with silent pauses, written as PCM WAV."""

import io
import wave

import numpy as np


def speechlike(
    *,
    f0: float = 150.0,
    syllables_per_phrase: int = 4,
    phrases: int = 5,
    syllable_s: float = 0.18,
    gap_s: float = 0.07,
    pause_s: float = 0.6,
    rate: int = 16_000,
    seed: int = 0,
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    parts = [np.zeros(int(0.3 * rate))]
    for p in range(phrases):
        for s in range(syllables_per_phrase):
            n = int(syllable_s * rate)
            t = np.arange(n) / rate
            pitch = f0 * (1 + 0.05 * np.sin(2 * np.pi * (p + s) / 7))
            tone = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in range(1, 6))
            parts.append(0.3 * tone * np.sin(np.pi * np.arange(n) / n) ** 2)
            parts.append(np.zeros(int(gap_s * rate)))
        parts.append(np.zeros(int(pause_s * rate)))
    signal = np.concatenate(parts)
    return signal + rng.normal(0, 0.001, signal.size)


def wav_bytes(samples: np.ndarray, *, rate: int = 16_000, width: int = 2, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        clipped = np.clip(samples, -1, 1)
        if channels == 2:
            clipped = np.repeat(clipped, 2)
        if width == 2:
            out.writeframes((clipped * 32767).astype("<i2").tobytes())
        elif width == 4:
            out.writeframes((clipped * 2147483647).astype("<i4").tobytes())
        else:
            out.writeframes(((clipped * 127) + 128).astype("u1").tobytes())
    return buffer.getvalue()


def silence_wav(seconds: float, *, rate: int = 8_000, width: int = 2, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(b"\0" * int(seconds * rate) * width * channels)
    return buffer.getvalue()


def float_wav(seconds: float = 2.0, rate: int = 16_000) -> bytes:
    """An IEEE-float WAV (format 3), which the API does not take."""
    data = np.zeros(int(seconds * rate), dtype="<f4").tobytes()
    fmt = (3).to_bytes(2, "little") + (1).to_bytes(2, "little") + rate.to_bytes(4, "little")
    fmt += (rate * 4).to_bytes(4, "little") + (4).to_bytes(2, "little") + (32).to_bytes(2, "little")
    body = b"WAVE" + b"fmt " + len(fmt).to_bytes(4, "little") + fmt + b"data" + len(data).to_bytes(4, "little") + data
    return b"RIFF" + len(body).to_bytes(4, "little") + body
