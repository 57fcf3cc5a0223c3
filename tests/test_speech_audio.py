"""WAV decoding and resampling to 16 kHz mono int16, with files made by espeak-ng and sox."""
from __future__ import annotations

import math
import struct
import subprocess
from array import array

import pytest

from kiosk.speech.audio import (RATE, AudioError, decode_wav, read_wav, resample, rms, seconds,
                                trim_trailing_silence, write_wav)

pytestmark = pytest.mark.audio


def _sine(freq: float, rate: int, secs: float, amp: float = 10000.0) -> list[float]:
    return [amp * math.sin(2 * math.pi * freq * i / rate) for i in range(int(rate * secs))]


def _zero_crossings(pcm: bytes) -> int:
    a = array("h")
    a.frombytes(pcm)
    return sum(1 for x, y in zip(a, a[1:]) if (x < 0) != (y < 0))


def _sox(src, dst, *opts):
    subprocess.run(["sox", str(src), *opts, str(dst)], check=True, capture_output=True, timeout=60)
    return dst


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 44100, 48000])
def test_resampling_keeps_duration_and_pitch(rate):
    pcm16 = resample(_sine(440, rate, 1.0), rate)
    assert abs(len(pcm16) - RATE) <= 1
    from kiosk.speech.audio import to_pcm16

    crossings = _zero_crossings(to_pcm16(pcm16))
    assert 870 <= crossings <= 890  # 440 Hz for one second crosses zero 880 times


def test_downsampling_attenuates_what_would_alias():
    # 7.9 kHz survives the 16 kHz Nyquist limit but 15 kHz must not fold back as a loud 1 kHz tone.
    high = resample(_sine(15000, 48000, 0.5), 48000)
    low = resample(_sine(1000, 48000, 0.5), 48000)
    level = lambda s: math.sqrt(sum(v * v for v in s) / len(s))  # noqa: E731
    assert level(high) < 0.35 * level(low)


def test_native_format_is_passed_through_unchanged(tmp_path):
    pcm = bytes(array("h", [0, 1000, -1000, 32767, -32768] * 100))
    write_wav(tmp_path / "a.wav", pcm)
    info, out = read_wav(tmp_path / "a.wav")
    assert (info.rate, info.channels, info.bits) == (16000, 1, 16)
    assert out == pcm


@pytest.mark.parametrize("opts,expect", [
    (["-r", "44100", "-c", "2"], (44100, 2, 16, False)),
    (["-r", "8000", "-b", "8"], (8000, 1, 8, False)),
    (["-r", "48000", "-b", "24"], (48000, 1, 24, False)),
    (["-e", "floating-point", "-b", "32"], (22050, 1, 32, True)),
    (["-c", "3", "-b", "24"], (22050, 3, 24, False)),  # sox writes WAVE_FORMAT_EXTENSIBLE here
])
def test_formats_sox_writes_decode_to_the_same_speech(espeak, tmp_path, opts, expect):
    src = espeak("주민등록증 재발급 신청")
    ref_info, ref = read_wav(src)
    assert ref_info.rate == 22050
    info, pcm = read_wav(_sox(src, tmp_path / "x.wav", *opts))
    assert (info.rate, info.channels, info.bits, info.float_samples) == expect
    assert abs(info.seconds - ref_info.seconds) < 0.01
    assert abs(len(pcm) - len(ref)) <= 8
    # the same loudness within a few percent: nothing lost, clipped or doubled in the conversion
    assert abs(rms(pcm) - rms(ref)) / rms(ref) < 0.06


def test_stereo_channels_are_averaged(tmp_path):
    left = array("h", [8000] * 1600)
    right = array("h", [0] * 1600)
    frames = array("h", [v for pair in zip(left, right) for v in pair]).tobytes()
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(frames), b"WAVE", b"fmt ", 16, 1, 2, 16000,
                         64000, 4, 16, b"data", len(frames))
    info, pcm = decode_wav(header + frames)
    assert info.channels == 2
    assert set(array("h", pcm)) == {4000}


def test_odd_chunks_before_data_are_skipped():
    pcm = bytes(array("h", [100] * 160))
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"LIST" + struct.pack("<I", 3) + b"abc\0" + \
        b"data" + struct.pack("<I", len(pcm)) + pcm
    _, out = decode_wav(b"RIFF" + struct.pack("<I", len(body)) + body)
    assert out == pcm


def test_empty_file_is_a_clear_error(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioError, match="0 字节"):
        read_wav(tmp_path / "empty.wav")


@pytest.mark.parametrize("content", [b"ID3\x04\x00" + bytes(200), b"hello, this is text\n", b"RIFF\x10\x00\x00\x00AVI LIST"])
def test_non_wav_file_is_a_clear_error(tmp_path, content):
    (tmp_path / "x.wav").write_bytes(content)
    with pytest.raises(AudioError, match="不是 WAV"):
        read_wav(tmp_path / "x.wav")


def test_text_file_named_wav_is_rejected_not_misread(tmp_path):
    bad = tmp_path / "q.wav"
    bad.write_text("城乡居民最低生活保障", encoding="utf-8")
    with pytest.raises(AudioError):
        read_wav(bad)


def test_truncated_and_broken_headers(espeak, tmp_path):
    data = espeak("출생 신고").read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[:30])  # inside the fmt chunk
    with pytest.raises(AudioError, match="格式信息"):
        read_wav(cut)
    nodata = tmp_path / "nodata.wav"
    nodata.write_bytes(data[:44 - 8])
    with pytest.raises(AudioError):
        read_wav(nodata)
    # a recording cut in the middle of its data is still usable up to the cut
    half = tmp_path / "half.wav"
    half.write_bytes(data[: len(data) // 2 + 1])
    info, pcm = read_wav(half)
    assert 0.3 < seconds(pcm) < info.seconds + 0.01


def test_unsupported_encoding_and_missing_file(tmp_path):
    fmt = struct.pack("<HHIIHH", 6, 1, 8000, 8000, 1, 8)  # A-law
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", 4) + b"abcd"
    (tmp_path / "alaw.wav").write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    with pytest.raises(AudioError, match="编码"):
        read_wav(tmp_path / "alaw.wav")
    with pytest.raises(AudioError, match="无法读取"):
        read_wav(tmp_path / "missing.wav")
    with pytest.raises(AudioError, match="文件夹"):
        read_wav(tmp_path)


def test_trim_trailing_silence(espeak):
    _, pcm = read_wav(espeak("혼인 신고"))
    padded = pcm + bytes(RATE * 2)
    trimmed = trim_trailing_silence(padded)
    assert seconds(trimmed) <= seconds(pcm)
    assert seconds(trimmed) > seconds(pcm) - 1.0
    assert trim_trailing_silence(bytes(3200)) == b""
