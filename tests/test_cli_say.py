"""kiosk say and kiosk ask --say: speech from the command line, written to WAV files and checked."""
from __future__ import annotations

import json
import subprocess

import pytest
from conftest import GUIDES

SENTENCE = "咨询电话021-12345678，8:30至17:00。"


def seconds(path) -> float:
    return float(subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True).stdout)


def test_show_prints_pieces_and_the_voice_input(cli):
    res = cli("say", "--show", SENTENCE + "请带好身份证。")
    assert res.code == 0
    assert res.out.splitlines() == [
        "1. 咨询电话零二幺，幺二三四五六七八，上午八点半到下午五点。",
        "   zi1 xun2 dian4 hua4 ling2 er4 yao1 ， yao1 er4 san1 si4 wu3 liu4 qi1 ba1 ， shang4 wu3 ba1 dian3 ban4 "
        "dao4 xia4 wu2 wu2 dian3 。",  # 下午五点: the third tones before 点 rise, once
        "2. 请带好身份证。",
        "   qing3 dai4 hao3 shen1 fen4 zheng4 。",
    ]


@pytest.mark.audio
def test_say_writes_a_wav(cli, tmp_path):
    wav = tmp_path / "say.wav"
    res = cli("say", "--wav", str(wav), SENTENCE)
    assert res.code == 0, res.err
    assert res.out == ""
    assert 4 < seconds(wav) < 15
    assert res.err.strip() == f"已写入 {wav}（{seconds(wav):.1f} 秒）"


@pytest.mark.audio
def test_say_reads_lines_from_stdin_one_after_another(cli, tmp_path):
    one, two = tmp_path / "one.wav", tmp_path / "two.wav"
    assert cli("say", "--wav", str(one), "请带好身份证。").code == 0
    assert cli("say", "--wav", str(two), stdin="请带好身份证。\n\n请带好身份证。\n").code == 0
    assert seconds(two) == pytest.approx(2 * seconds(one), abs=0.05)


@pytest.mark.audio
def test_say_elder_is_slower(cli, tmp_path):
    normal, slow = tmp_path / "n.wav", tmp_path / "s.wav"
    assert cli("say", "--wav", str(normal), SENTENCE).code == 0
    assert cli("say", "--elder", "--wav", str(slow), SENTENCE).code == 0
    assert seconds(slow) > 1.15 * seconds(normal)


@pytest.mark.audio
def test_say_volume_is_a_share_of_the_configured_one(cli, tmp_path):
    loud, quiet = tmp_path / "loud.wav", tmp_path / "quiet.wav"
    assert cli("say", "--wav", str(loud), SENTENCE).code == 0
    assert cli("say", "--volume", "0.35", "--wav", str(quiet), SENTENCE).code == 0

    def rms(path):
        out = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True).stderr
        return float(next(line.split(":")[1] for line in out.splitlines() if line.startswith("RMS     amplitude")))

    assert 0.15 < rms(quiet) / rms(loud) < 0.6
    res = cli("say", "--volume", "1.5", "请带好身份证。")
    assert res.code == 2 and res.err.strip() == "音量要在 0 到 1 之间（1 是配置里的 speech.volume）：1.5"


def test_say_nothing_to_say(cli, tmp_path):
    res = cli("say", "--wav", str(tmp_path / "x.wav"), "……")
    assert res.code == 1
    assert "没有可以朗读的文字" in res.err


def run_cli_process(*argv: str, env: dict) -> subprocess.CompletedProcess:
    """kiosk in a process of its own (espeak-ng reads ESPEAK_DATA_PATH once per process)."""
    import os
    import sys

    from conftest import ROOT

    return subprocess.run([sys.executable, "-m", "kiosk", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


def espeak_data_copy(tmp_path, change) -> dict:
    """A copy of espeak-ng's data folder, changed, and the environment that makes espeak-ng use it."""
    import re
    import shutil

    version = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=True).stdout
    source = re.search(r"Data at: (\S+)", version).group(1)
    copy = tmp_path / "espeak-ng-data"
    shutil.copytree(source, copy)
    change(copy)
    return {"ESPEAK_DATA_PATH": str(copy)}


@pytest.mark.audio
def test_say_wav_with_the_mandarin_dictionary_missing_reports_speech_unavailable(tmp_path):
    env = espeak_data_copy(tmp_path, lambda d: (d / "cmn_dict").unlink())
    wav = tmp_path / "x.wav"
    res = run_cli_process("say", "--wav", str(wav), "敬老卡要带什么", env=env)
    assert res.returncode == 1
    assert "只发出了静音" in res.stderr and "cmn_dict" in res.stderr and "已写入" not in res.stderr


@pytest.mark.audio
def test_say_falls_back_to_another_mandarin_voice_when_the_first_is_silent(tmp_path):
    def break_pinyin_voice(d):
        voice = d / "lang" / "sit" / "cmn-Latn-pinyin"
        voice.write_text(voice.read_text().replace("dictionary cmn", "dictionary cmnx"))

    env = espeak_data_copy(tmp_path, break_pinyin_voice)
    wav = tmp_path / "x.wav"
    res = run_cli_process("say", "--wav", str(wav), "请带好身份证。", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stderr.count("改用语音“sit/cmn”") == 1 and "已写入" in res.stderr
    assert seconds(wav) > 1


@pytest.mark.audio
def test_say_with_a_missing_voice_says_why_once(cli, tmp_path):
    res = cli("say", "--voice", "no/such-voice", "--wav", str(tmp_path / "x.wav"), "你好")
    assert res.code == 1
    assert res.err.count("无法朗读") == 1
    assert "没有找到配置的语音“no/such-voice”" in res.err


@pytest.mark.audio
def test_say_without_a_speaker_says_why(cli, tmp_path):
    cfg = tmp_path / "kiosk.yaml"
    cfg.write_text("speech:\n  device: no such speaker\n", encoding="utf-8")
    res = cli("--config", str(cfg), "say", "你好")
    assert res.code == 1
    assert res.err.strip() == "无法朗读：没有找到“no such speaker”扬声器（音频输出设备），无法播放声音。"


@pytest.mark.audio
def test_ask_say_speaks_exactly_the_replies(cli, tmp_path):
    asked, said = tmp_path / "ask.wav", tmp_path / "said.wav"
    res = cli("ask", "--json", "--say", "--wav", str(asked), "低保怎么申请", "低保要带什么材料")
    assert res.code == 0, res.err
    replies = [json.loads(line)["reply"] for line in res.out.splitlines()]  # stdout stays pure JSON lines
    assert len(replies) == 2
    assert cli("say", "--wav", str(said), stdin="\n".join(replies) + "\n").code == 0
    assert seconds(asked) == pytest.approx(seconds(said), abs=0.05)
    assert seconds(asked) > 10


@pytest.mark.audio
def test_ask_say_without_speech_still_answers(cli, tmp_path):
    cfg = tmp_path / "kiosk.yaml"
    cfg.write_text(f"guides_dir: {GUIDES}\nspeech:\n  enabled: false\n", encoding="utf-8")
    res = cli("--config", str(cfg), "ask", "--say", "低保怎么申请", "低保要带什么材料")
    assert res.code == 1
    assert res.out.count("答：") == 2
    assert res.err.count("无法朗读：语音播报已在配置中关闭") == 1


@pytest.mark.audio
def test_ask_json_stdout_stays_json_in_a_real_process(tmp_path):
    """pyttsx3's espeak driver prints a line per rendered file; none of it may reach stdout."""
    import sys

    from conftest import GUIDES, ROOT

    wav = tmp_path / "ask.wav"
    res = subprocess.run([sys.executable, "-m", "kiosk", "ask", "--json", "--say", "--wav", str(wav), "低保怎么申请"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["status"] == "answer"
    assert "Audio saved" not in res.stderr
    assert seconds(wav) > 5


@pytest.mark.audio
def test_speech_benchmark_runs_and_reports_every_figure(cli):
    res = cli("bench", "--only", "speech", "--quick")
    assert res.code == 0, res.err
    for name in ("engine start", "say() → first audio", "real-time factor", "audio per answer", "stop() → silent"):
        assert name in res.out
    assert "unavailable" not in res.out


@pytest.mark.audio
def test_voices_lists_installed_voices_and_marks_the_mandarin_one(cli):
    res = cli("say", "--voices")
    assert res.code == 0, res.err
    marked = [line for line in res.out.splitlines() if line.startswith("*")]
    assert len(marked) == 1 and marked[0].startswith("* sit/cmn-latn-pinyin  ")
    assert any(line.startswith("  sit/cmn  ") for line in res.out.splitlines())
