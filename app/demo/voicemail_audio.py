"""Speech-like voicemail recordings for the demo server: real, deterministic WAV files.

A recording is a function of ``(voice, samples)``: a voice (a seed that picks the
speaker's pitch and the rhythm of the "words") spoken for ``samples`` samples of 8 kHz,
16-bit mono PCM, the format of telephone voicemail. Syllables are vowel-like tones (a few
harmonics shaped by two formants, with a gliding pitch and a soft envelope), some opened by
a short noise burst like a consonant, grouped into words and sentences by pauses. It sounds
like muffled talk and decodes in any player.

The file size is known without synthesising it (:func:`wav_size`), so the server can list
voicemails without generating their audio; files are made on request and cached.
"""

from __future__ import annotations

import functools
import io
import math
import random
import sys
import wave
from array import array

SAMPLE_RATE = 8000
SAMPLE_WIDTH = 2
WAV_HEADER_SIZE = 44
_TABLE_SIZE = 512
_BASE_PITCH = 150.0
# (F1, F2) of the vowels a, e, i, o, u, in Hz.
_FORMANTS: tuple[tuple[float, float], ...] = (
    (730, 1090),
    (530, 1840),
    (270, 2290),
    (570, 840),
    (300, 870),
)


def wav_size(samples: int) -> int:
    """Bytes of the WAV file holding ``samples`` mono 16-bit samples."""
    return WAV_HEADER_SIZE + SAMPLE_WIDTH * samples


def samples_for(seconds: float) -> int:
    return max(1, round(seconds * SAMPLE_RATE))


def _resonance(frequency: float, formant: float, bandwidth: float = 90.0) -> float:
    return 1.0 / (1.0 + ((frequency - formant) / bandwidth) ** 2)


@functools.cache
def _vowel_tables() -> tuple[tuple[float, ...], ...]:
    """One period of each vowel at the base pitch, peak-normalised to 1."""
    tables = []
    for f1, f2 in _FORMANTS:
        weights = [
            (_resonance(k * _BASE_PITCH, f1) + 0.6 * _resonance(k * _BASE_PITCH, f2) + 0.02) / k**0.5
            for k in range(1, 16)
        ]
        period = [
            sum(w * math.sin(2 * math.pi * k * i / _TABLE_SIZE) for k, w in enumerate(weights, 1))
            for i in range(_TABLE_SIZE)
        ]
        peak = max(abs(v) for v in period) or 1.0
        tables.append(tuple(v / peak for v in period))
    return tuple(tables)


def _speak(voice: int, samples: int) -> array[int]:
    rng = random.Random(f"voicemail-voice:{voice}")
    out = array("h", bytes(SAMPLE_WIDTH * samples))
    tables = _vowel_tables()
    pitch = rng.uniform(95.0, 215.0)
    loudness = rng.uniform(9000.0, 14000.0)
    noise = random.Random(voice)
    position = int(rng.uniform(0.15, 0.4) * SAMPLE_RATE)
    words_left = rng.randint(4, 9)
    while position < samples - SAMPLE_RATE // 5:
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            length = int(rng.uniform(0.09, 0.24) * SAMPLE_RATE)
            end = min(position + length, samples)
            if rng.random() < 0.6:  # a consonant: a short burst of noise first
                burst = min(int(rng.uniform(0.015, 0.04) * SAMPLE_RATE), end - position)
                level = loudness * rng.uniform(0.08, 0.25)
                for n in range(position, position + burst):
                    out[n] = int(noise.uniform(-level, level))
                position += burst
            table = tables[rng.randrange(len(tables))]
            start_pitch = pitch * rng.uniform(0.9, 1.15)
            glide = (pitch * rng.uniform(0.85, 1.1) - start_pitch) / max(end - position, 1)
            step_scale = _TABLE_SIZE / SAMPLE_RATE
            count = end - position
            attack = max(count // 5, 1)
            phase = 0.0
            for i in range(count):
                envelope = min(1.0, i / attack, (count - i) / attack)
                phase += (start_pitch + glide * i) * step_scale
                out[position + i] = int(table[int(phase) % _TABLE_SIZE] * envelope * loudness)
            position = end + int(rng.uniform(0.01, 0.05) * SAMPLE_RATE)
        words_left -= 1
        if words_left == 0:  # end of a sentence: a longer breath
            position += int(rng.uniform(0.4, 0.8) * SAMPLE_RATE)
            words_left = rng.randint(4, 9)
            pitch *= rng.uniform(0.95, 1.05)
        else:
            position += int(rng.uniform(0.06, 0.25) * SAMPLE_RATE)
    return out


@functools.lru_cache(maxsize=32)
def voicemail_wav(voice: int, samples: int) -> bytes:
    """The WAV file of a recording (exactly :func:`wav_size` bytes)."""
    if samples < 1:
        raise ValueError("a recording needs at least one sample")
    pcm = _speak(voice, samples)
    if sys.byteorder == "big":
        pcm.byteswap()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm.tobytes())
    return buffer.getvalue()
