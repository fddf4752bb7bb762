"""A WAV header cannot claim audio the file does not hold (issue 21, item 11): 3 s of audio
whose header declares 170 s was stored with `duration_s` 170. The declared frame count is
checked against the bytes present: an upload that falls short is a 400 saying both lengths;
trailing chunks after the audio (LIST, ...) are fine."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring.models import SpeechRecording
from monitoring.speech import wav_info
from tests.monitoring.audio import silence_wav
from tests.monitoring.conftest import iso, recent

URL = "/api/v1/speech/recordings/"
RATE = 8_000


def _claiming(seconds_held: float, seconds_claimed: float) -> bytes:
    """A 16-bit mono WAV holding `seconds_held` of audio whose header declares `seconds_claimed`."""
    wav = bytearray(silence_wav(seconds_held, rate=RATE))
    data_at = wav.index(b"data")
    claimed = int(seconds_claimed * RATE) * 2
    wav[data_at + 4 : data_at + 8] = claimed.to_bytes(4, "little")
    wav[4:8] = (claimed + data_at + 8 - 8).to_bytes(4, "little")  # the RIFF size agrees with the lie
    return bytes(wav)


def _upload(client, content: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        URL,
        {
            "id": str(uuid.uuid4()),
            "recorded_at": iso(recent(hours=1)),
            "file": SimpleUploadedFile("diary.wav", content, content_type="audio/wav"),
        },
        format="multipart",
    )


def test_header_claiming_more_audio_than_present_is_400(patient_client):
    response = _upload(patient_client, _claiming(3, 170))

    assert response.status_code == 400
    message = response.json()["file"][0]
    assert "170.0" in message and "3.0" in message
    assert not SpeechRecording.objects.exists()


def test_wav_info_reports_what_the_file_holds():
    with pytest.raises(ValueError, match="declares"):
        wav_info(io.BytesIO(_claiming(3, 170)))
    info = wav_info(io.BytesIO(silence_wav(3, rate=RATE)))
    assert info.frames == 3 * RATE and info.duration_s == 3.0


def test_trailing_chunk_after_the_audio_is_accepted(patient_client):
    wav = bytearray(silence_wav(3, rate=RATE))
    wav += b"LIST" + (4).to_bytes(4, "little") + b"INFO"
    wav[4:8] = (len(wav) - 8).to_bytes(4, "little")

    response = _upload(patient_client, bytes(wav))

    assert response.status_code == 202, response.content
    assert response.json()["duration_s"] == 3.0
