"""The Voicemail object (document section "Voicemail") and its mapping to the domain model.

Read leniently like the other REST items: unknown fields are ignored, an odd optional
field becomes empty; only the id and the time received are required.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BeforeValidator, Field, WrapValidator

from app.domain.voicemail import Voicemail, VoicemailAudio
from app.providers.ringplan.wire import Id, LenientText, RequiredDate, WireModel, _lenient


def _seconds(value: object) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return 0.0
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) and number > 0 else 0.0
    return 0.0


class WireVoicemailFile(WireModel):
    id: LenientText = ""
    duration: Annotated[float, BeforeValidator(_seconds)] = 0.0
    link: LenientText = ""
    name: LenientText = ""
    size: Annotated[int, WrapValidator(_lenient(0))] = 0


class WireVoicemail(WireModel):
    id: Id = Field(alias="_id")
    time_received: RequiredDate
    extension_source: LenientText = ""
    extension_destination: LenientText = ""
    source_representation_name: LenientText = ""
    voicemail_email: LenientText = ""
    voicemail_file: Annotated[WireVoicemailFile | None, WrapValidator(_lenient(None))] = None


def voicemail_from_wire(wire: WireVoicemail) -> Voicemail:
    audio = None
    file = wire.voicemail_file
    if file is not None and file.link.strip():
        audio = VoicemailAudio(
            id=file.id or wire.id,
            name=file.name,
            link=file.link.strip(),
            duration=float(file.duration),
            size=max(file.size, 0),
        )
    return Voicemail(
        id=wire.id,
        received_at=wire.time_received,
        source=wire.extension_source.strip(),
        destination=wire.extension_destination.strip(),
        source_name=wire.source_representation_name.strip(),
        email=wire.voicemail_email.strip(),
        audio=audio,
    )
