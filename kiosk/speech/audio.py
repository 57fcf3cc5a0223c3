"""WAV files to what the recogniser eats: 16 kHz, mono, signed 16-bit little-endian PCM.

Pure Python (``array`` and ``itertools``), no numpy: the RIFF reader understands integer PCM
(8/16/24/32-bit), IEEE float (32/64-bit) and WAVE_FORMAT_EXTENSIBLE around either, with any number
of channels; channels are averaged to mono and the rate converted to 16 kHz.
"""
from __future__ import annotations

import struct
import sys
from array import array
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

RATE = 16_000
SAMPLE_BYTES = 2

_PCM, _FLOAT, _EXTENSIBLE = 0x0001, 0x0003, 0xFFFE


class AudioError(Exception):
    """A recording that cannot be used; the message is Chinese, for staff and the screen."""


@dataclass(frozen=True)
class WavInfo:
    rate: int
    channels: int
    bits: int
    float_samples: bool
    frames: int

    @property
    def seconds(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


def _chunks(data: bytes):
    pos = 12
    while pos + 8 <= len(data):
        cid, size = struct.unpack_from("<4sI", data, pos)
        body = data[pos + 8 : pos + 8 + size]
        yield cid, body
        pos += 8 + size + (size & 1)


def _parse(data: bytes, name: str) -> tuple[WavInfo, bytes]:
    if not data:
        raise AudioError(f"{name}：文件是空的（0 字节），没有录音")
    if len(data) < 12 or data[:4] not in (b"RIFF", b"RIFX") or data[8:12] != b"WAVE":
        raise AudioError(f"{name}：不是 WAV 录音文件，请提供 .wav 格式的录音")
    if data[:4] == b"RIFX":
        raise AudioError(f"{name}：不支持大端（RIFX）WAV 文件，请转换为普通 WAV")
    fmt = pcm = None
    for cid, body in _chunks(data):
        if cid == b"fmt " and fmt is None:
            fmt = body
        elif cid == b"data" and pcm is None:
            pcm = body
    if fmt is None or len(fmt) < 16:
        raise AudioError(f"{name}：WAV 文件缺少格式信息（fmt），文件可能已损坏")
    tag, channels, rate, _, block, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack_from("<H", fmt, 24)[0]  # first two bytes of the sub-format GUID
    if tag not in (_PCM, _FLOAT):
        raise AudioError(f"{name}：不支持的 WAV 编码（格式代码 {tag}），请转换为 PCM 格式")
    is_float = tag == _FLOAT
    width = bits // 8
    ok_bits = (32, 64) if is_float else (8, 16, 24, 32)
    if bits not in ok_bits or channels < 1 or rate < 1000 or block != width * channels:
        raise AudioError(f"{name}：WAV 格式参数异常（{channels} 声道，{rate} Hz，{bits} 位）")
    if pcm is None:
        raise AudioError(f"{name}：WAV 文件没有声音数据（data），文件可能已损坏")
    frames = len(pcm) // block
    return WavInfo(rate, channels, bits, is_float, frames), pcm[: frames * block]


def _to_floats(info: WavInfo, pcm: bytes) -> list[float]:
    """Samples as floats in int16 units, interleaved."""
    if info.float_samples:
        a = array("f" if info.bits == 32 else "d")
        a.frombytes(pcm)
        if sys.byteorder != "little":
            a.byteswap()
        return [max(-1.0, min(1.0, v)) * 32767.0 for v in a]
    if info.bits == 8:  # unsigned
        return [(b - 128) * 256.0 for b in pcm]
    if info.bits == 24:
        # Widen each 3-byte sample to 4 bytes (low byte zero) and read as int32.
        wide = bytearray(len(pcm) // 3 * 4)
        wide[1::4] = pcm[0::3]
        wide[2::4] = pcm[1::3]
        wide[3::4] = pcm[2::3]
        pcm, bits = bytes(wide), 32
    else:
        bits = info.bits
    a = array("h" if bits == 16 else "i")
    a.frombytes(pcm)
    if sys.byteorder != "little":
        a.byteswap()
    scale = 1.0 if bits == 16 else 1.0 / 65536.0
    return [v * scale for v in a] if scale != 1.0 else list(map(float, a))


def _mono(samples: list[float], channels: int) -> list[float]:
    if channels == 1:
        return samples
    cols = [samples[c::channels] for c in range(channels)]
    return [sum(frame) / channels for frame in zip(*cols)]


def resample(samples: list[float], rate: int, target: int = RATE) -> list[float]:
    """Change the sample rate: box-filter then linear interpolation (downsampling), linear (upsampling).

    The box filter spans one output period, which removes most energy that would alias; for speech
    recognition at 16 kHz that is enough.
    """
    n = len(samples)
    if rate == target or n == 0:
        return list(samples)
    out_n = max(1, round(n * target / rate))
    step = rate / target
    if step > 1.0:
        # Average over [t - step/2, t + step/2] with a prefix sum, interpolated at fractional edges.
        prefix = [0.0, *accumulate(samples)]
        last = n

        def area(x: float) -> float:
            if x <= 0:
                return 0.0
            if x >= last:
                return prefix[last]
            i = int(x)
            return prefix[i] + (x - i) * (prefix[i + 1] - prefix[i])

        half = step / 2
        out = []
        for k in range(out_n):
            c = (k + 0.5) * step
            lo, hi = c - half, c + half
            width = min(hi, last) - max(lo, 0.0)
            out.append((area(hi) - area(lo)) / width if width > 0 else 0.0)
        return out
    out = []
    for k in range(out_n):
        x = k * step
        i = int(x)
        j = i + 1 if i + 1 < n else i
        f = x - i
        out.append(samples[i] + f * (samples[j] - samples[i]))
    return out


def to_pcm16(samples: list[float]) -> bytes:
    a = array("h", (int(max(-32768.0, min(32767.0, round(v)))) for v in samples))
    if sys.byteorder != "little":
        a.byteswap()
    return a.tobytes()


def decode_wav(data: bytes, name: str = "录音") -> tuple[WavInfo, bytes]:
    """(info about the original, 16 kHz mono int16 PCM)."""
    info, pcm = _parse(data, name)
    if info.rate == RATE and info.channels == 1 and info.bits == 16 and not info.float_samples:
        return info, pcm
    samples = _mono(_to_floats(info, pcm), info.channels)
    return info, to_pcm16(resample(samples, info.rate, RATE))


def read_wav(path: str | Path) -> tuple[WavInfo, bytes]:
    """Read a WAV file as 16 kHz mono int16 PCM; AudioError (Chinese) when it cannot be used."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError as exc:
        raise AudioError(f"{p}：这是一个文件夹，不是录音文件") from exc
    except OSError as exc:
        raise AudioError(f"{p}：无法读取录音文件（{exc.strerror or exc}）") from exc
    return decode_wav(data, str(p))


def write_wav(path: str | Path, pcm: bytes, rate: int = RATE) -> None:
    """Write mono int16 PCM as a WAV file."""
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", 16, _PCM, 1, rate,
                         rate * SAMPLE_BYTES, SAMPLE_BYTES, 16, b"data", len(pcm))
    Path(path).write_bytes(header + pcm)


def rms(pcm: bytes) -> float:
    """Root mean square of int16 PCM, in int16 units."""
    a = array("h")
    a.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if sys.byteorder != "little":
        a.byteswap()
    if not a:
        return 0.0
    return (sum(v * v for v in a) / len(a)) ** 0.5


def trim_trailing_silence(pcm: bytes, level: float = 300.0, chunk_seconds: float = 0.02) -> bytes:
    """pcm without its quiet tail (chunks under level RMS)."""
    step = int(RATE * chunk_seconds) * SAMPLE_BYTES
    end = len(pcm) - len(pcm) % SAMPLE_BYTES
    while end > 0 and rms(pcm[max(0, end - step) : end]) < level:
        end = max(0, end - step)
    return pcm[:end]


def seconds(pcm: bytes, rate: int = RATE) -> float:
    return len(pcm) / (SAMPLE_BYTES * rate)
