"""The Voicemail object read from the wire: the document's example, odd and broken fields."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from app.domain.voicemail import VoicemailFilter, format_duration
from app.providers.ringplan.voicemail_wire import WireVoicemail, voicemail_from_wire

DOCUMENT_EXAMPLE = {
    "_id": "61015919b3c46160a6de8ea2",
    "company_id": "6101511f25781882dec1e427",
    "extension_destination": 1001,
    "extension_destination_id": "6101522c4c901ad517cb44a7",
    "extension_source": 1002,
    "pbx": "c62afa64-728a-575e-80bb-d5acb29a85a4",
    "source_representation_name": "John Doe",
    "time_received": "2021-07-28T16:18:17.404000Z",
    "voicemail_email": "johndoe@example.com",
    "voicemail_file": {
        "id": "6101591822c291ae68f260a9",
        "duration": 0.2,
        "link": "https://filehost.example.net/msg0000.wav",
        "name": "msg0000.wav",
        "size": 3244,
    },
}


def test_the_documented_example() -> None:
    voicemail = voicemail_from_wire(WireVoicemail.model_validate(DOCUMENT_EXAMPLE))
    assert voicemail.id == "61015919b3c46160a6de8ea2"
    assert voicemail.received_at == datetime(2021, 7, 28, 16, 18, 17, 404000, tzinfo=UTC)
    assert (voicemail.source, voicemail.destination) == ("1002", "1001")
    assert voicemail.source_name == "John Doe"
    assert voicemail.email == "johndoe@example.com"
    assert voicemail.audio is not None
    assert voicemail.audio.link == "https://filehost.example.net/msg0000.wav"
    audio = voicemail.audio
    assert (audio.duration, audio.size, audio.name) == (0.2, 3244, "msg0000.wav")
    assert format_duration(voicemail.duration) == "0:01"


def test_unknown_fields_and_odd_values_are_tolerated() -> None:
    payload = {
        **DOCUMENT_EXAMPLE,
        "brand_new_field": {"x": 1},
        "extension_source": "1002",
        "source_representation_name": None,
        "voicemail_file": {**DOCUMENT_EXAMPLE["voicemail_file"], "duration": "12.5", "size": "big"},
    }
    voicemail = voicemail_from_wire(WireVoicemail.model_validate(payload))
    assert voicemail.source == "1002" and voicemail.source_name == ""
    assert voicemail.audio is not None and voicemail.audio.duration == 12.5 and voicemail.audio.size == 0


@pytest.mark.parametrize("file", [None, "not an object", {"id": "x", "duration": 3}, {"link": ""}])
def test_a_voicemail_without_a_usable_file_has_no_audio(file: object) -> None:
    payload = {**DOCUMENT_EXAMPLE, "voicemail_file": file}
    voicemail = voicemail_from_wire(WireVoicemail.model_validate(payload))
    assert voicemail.audio is None
    assert voicemail.duration == 0.0


@pytest.mark.parametrize("duration", [float("nan"), -3, True, "soon", None])
def test_nonsense_durations_become_zero(duration: object) -> None:
    audio = {**DOCUMENT_EXAMPLE["voicemail_file"], "duration": duration}
    payload = {**DOCUMENT_EXAMPLE, "voicemail_file": audio}
    assert voicemail_from_wire(WireVoicemail.model_validate(payload)).duration == 0.0


@pytest.mark.parametrize(
    "broken",
    [
        {k: v for k, v in DOCUMENT_EXAMPLE.items() if k != "_id"},
        {k: v for k, v in DOCUMENT_EXAMPLE.items() if k != "time_received"},
        {**DOCUMENT_EXAMPLE, "time_received": "last tuesday"},
        {**DOCUMENT_EXAMPLE, "_id": ""},
    ],
)
def test_a_voicemail_without_id_or_time_is_rejected(broken: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        WireVoicemail.model_validate(broken)


def test_filters_refuse_a_backwards_range() -> None:
    from datetime import date

    with pytest.raises(ValueError):
        VoicemailFilter(from_date=date(2024, 6, 2), to_date=date(2024, 6, 1))
    with pytest.raises(ValueError):
        VoicemailFilter(source_extension=-1)
    assert VoicemailFilter(from_date=date(2024, 6, 1), to_date=date(2024, 6, 1)).to_date == date(2024, 6, 1)
