"""Where synthesised speech goes: the sound card, a WAV file, or a silent stand-in that keeps time.

Every output has ``play(audio, keep_going) -> bool``: it blocks while the audio plays and returns False
as soon as ``keep_going()`` turns false (the speaker was stopped), True when the audio played to the end.
sounddevice is imported only when a sound-card output is made.
"""
from __future__ import annotations

import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

KeepGoing = Callable[[], bool]
SAMPLE_WIDTH = 2  # 16-bit signed PCM throughout


class AudioUnavailable(Exception):
    """No way to make sound here; the message is in Chinese, for the screen and the log."""


@dataclass(frozen=True)
class Audio:
    """16-bit little-endian PCM."""

    pcm: bytes
    rate: int
    channels: int = 1

    @property
    def frames(self) -> int:
        return len(self.pcm) // (SAMPLE_WIDTH * self.channels)

    @property
    def seconds(self) -> float:
        return self.frames / self.rate if self.rate else 0.0

    @property
    def peak(self) -> float:
        """Loudest sample, as a fraction of full scale (0.0 for silence)."""
        import array

        samples = array.array("h", self.pcm[:len(self.pcm) - len(self.pcm) % SAMPLE_WIDTH])
        return max(map(abs, samples), default=0) / 32768

    @classmethod
    def from_wav(cls, path: str | Path) -> "Audio":
        with wave.open(str(path), "rb") as w:
            if w.getsampwidth() != SAMPLE_WIDTH:
                raise ValueError(f"{path}: {8 * w.getsampwidth()}-bit audio, expected 16-bit")
            return cls(w.readframes(w.getnframes()), w.getframerate(), w.getnchannels())


class SoundDeviceOutput:
    """Plays on a sound card through sounddevice (PortAudio); a stop is heard within one chunk (50 ms)."""

    CHUNK_SECONDS = 0.05

    def __init__(self, device: str | int | None = None) -> None:
        try:
            import sounddevice
        except (ImportError, OSError) as exc:
            raise AudioUnavailable(f"没有安装声音输出组件（sounddevice/PortAudio），无法播放声音：{exc}") from exc
        try:
            info = sounddevice.query_devices(device, kind="output")
        except Exception as exc:  # PortAudioError, ValueError: no such device, no default device
            wanted = f"“{device}”" if device not in (None, "") else "默认"
            raise AudioUnavailable(f"没有找到{wanted}扬声器（音频输出设备），无法播放声音。") from exc
        self._sd = sounddevice
        self.device = device
        self.name = str(info.get("name", device))

    def play(self, audio: Audio, keep_going: KeepGoing) -> bool:
        if not audio.frames:
            return True
        step = max(1, int(audio.rate * self.CHUNK_SECONDS)) * SAMPLE_WIDTH * audio.channels
        stream = self._sd.RawOutputStream(samplerate=audio.rate, channels=audio.channels, dtype="int16",
                                          device=self.device)
        with stream:
            for start in range(0, len(audio.pcm), step):
                if not keep_going():
                    stream.abort()  # drop what is buffered: silence now
                    return False
                stream.write(audio.pcm[start:start + step])
        return True

    def close(self) -> None:
        pass


class WavFileOutput:
    """Writes everything it is given, one piece after the other, into one WAV file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._wav: wave.Wave_write | None = None
        self._format: tuple[int, int] | None = None
        self.seconds = 0.0
        self.peak = 0.0  # loudest sample written so far, fraction of full scale
        self._lock = threading.Lock()

    def play(self, audio: Audio, keep_going: KeepGoing) -> bool:
        with self._lock:
            if not keep_going():
                return False
            self.peak = max(self.peak, audio.peak)
            if self._wav is None:
                self._open(audio.rate, audio.channels)
            elif self._format != (audio.rate, audio.channels):
                new = (audio.rate, audio.channels)
                raise ValueError(f"{self.path}: audio format changed from {self._format} to {new}")
            self._wav.writeframes(audio.pcm)  # type: ignore[union-attr]
            self.seconds += audio.seconds
        return True

    def _open(self, rate: int, channels: int) -> None:
        self._wav = wave.open(str(self.path), "wb")
        self._wav.setnchannels(channels)
        self._wav.setsampwidth(SAMPLE_WIDTH)
        self._wav.setframerate(rate)
        self._format = (rate, channels)

    def close(self) -> None:
        with self._lock:
            if self._wav is None:  # nothing was said: still leave a valid, empty file
                self._open(22050, 1)
            self._wav.close()  # type: ignore[union-attr]


class ClockOutput:
    """No sound, but each piece takes as long as it would on a sound card, and can be cut short.

    Stands in for a sound card where there is none (tests, benchmarks); records what it was given.
    """

    STEP_SECONDS = 0.01

    def __init__(self) -> None:
        self.played: list[tuple[float, float]] = []  # (seconds of audio, seconds actually played)
        self.started = threading.Event()
        self.cut_at: float | None = None  # perf_counter() when the last cut was noticed

    def play(self, audio: Audio, keep_going: KeepGoing) -> bool:
        self.started.set()
        begin = time.perf_counter()
        end = begin + audio.seconds
        while (now := time.perf_counter()) < end:
            if not keep_going():
                self.cut_at = now
                self.played.append((audio.seconds, now - begin))
                return False
            time.sleep(min(self.STEP_SECONDS, end - now))
        self.played.append((audio.seconds, audio.seconds))
        return True

    @property
    def pieces_cut(self) -> int:
        return sum(1 for total, heard in self.played if heard < total)

    def close(self) -> None:
        pass
