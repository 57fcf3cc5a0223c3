"""Staff mistakes and odd files never take the kiosk down: each finding of the hardening probe, reproduced.

The numbers in the test names are the findings' numbers in the issue.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import GUIDES, ROOT

from kiosk.config import ConfigError, load_config
from kiosk.knowledge import load_directory
from kiosk.staff.pin import LOCK_SECONDS, MAX_TRIES, PinError, PinGuard, check_pin_value


@pytest.fixture
def guides_copy(tmp_path):
    dest = tmp_path / "g"
    shutil.copytree(GUIDES, dest)
    return dest


def _kiosk(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real command in a subprocess: a hang fails the test instead of stopping the suite."""
    return subprocess.run([sys.executable, "-m", "kiosk", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "KIOSK_CONFIG": ""})


def _no_traceback(res: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout, res.stderr[-2000:]


# -- 1. a broken catalogue ---------------------------------------------------------------------------
def _gbk(path):
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))


def _short_row(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].split("\t")[0]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _no_header(path):
    path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[1:]) + "\n", encoding="utf-8")


def _not_a_file(path):
    path.unlink()
    path.mkdir()


@pytest.mark.parametrize("damage,message", [
    (_gbk, "catalogue.tsv:2: 文件不是 UTF-8 编码"),
    (_short_row, "catalogue.tsv:6: 这一行缺少 category、title"),
    (_no_header, "catalogue.tsv:1: 目录第一行应是表头"),
])
def test_1_a_broken_catalogue_is_reported_and_the_guides_keep_serving(guides_copy, centre, damage, message):
    damage(guides_copy / "catalogue.tsv")
    kb, problems = load_directory(guides_copy, centre)
    assert any(message in str(p) for p in problems), [str(p) for p in problems][:5]
    assert len(kb) >= 194  # the guides are still there (a short row only loses that row's check)


def test_1_the_commands_report_a_broken_catalogue_without_a_traceback(guides_copy, tmp_path):
    _gbk(guides_copy / "catalogue.tsv")
    res = _kiosk("validate", str(guides_copy))
    _no_traceback(res)
    assert res.returncode == 1 and "catalogue.tsv:2: 文件不是 UTF-8 编码" in res.stdout
    res = _kiosk("ask", "--guides", str(guides_copy), "--json", "低保怎么申请")
    _no_traceback(res)
    assert res.returncode == 0 and json.loads(res.stdout)["status"] == "answer"
    res = _kiosk("new", "--guides", str(guides_copy), "assistance-77")
    _no_traceback(res)
    assert res.returncode == 0 and "catalogue.tsv:2:" in res.stderr
    cfg = tmp_path / "kiosk.yaml"
    cfg.write_text(json.dumps({"guides_dir": str(guides_copy), "log": {"dir": str(tmp_path / "log")}}),
                   encoding="utf-8")
    res = _kiosk("--config", str(cfg), "health", "--no-heartbeat")
    _no_traceback(res)
    assert res.returncode == 0 and "195 个指南可以加载" in res.stdout


def test_1_a_catalogue_that_is_not_a_file(guides_copy, centre):
    _not_a_file(guides_copy / "catalogue.tsv")
    kb, problems = load_directory(guides_copy, centre)
    assert len(kb) == 195  # no catalogue to check against: nothing to report, nothing dropped


# -- 2. deep nesting ---------------------------------------------------------------------------------
def test_2_deep_nesting_is_a_problem_with_its_line_not_a_crash(guides_copy, centre):
    path = guides_copy / "law" / "law-01.yaml"
    text = path.read_text(encoding="utf-8")
    deep = "basis:\n" + "".join("  " * i + "- \n" for i in range(1, 500)) + "  " * 500 + "- 《法》\n"
    path.write_text(text.replace("basis:", deep.rstrip("\n") + "\nbasis_old:", 1), encoding="utf-8")
    kb, problems = load_directory(guides_copy, centre)
    assert any("层次嵌套太深" in p.message and p.path.endswith("law-01.yaml") for p in problems)
    assert kb.get("law-01") is None and len(kb) == 194


# -- 3. pipes, devices and links ---------------------------------------------------------------------
def test_3_a_fifo_is_reported_and_never_read(guides_copy):
    os.mkfifo(guides_copy / "elderly" / "elderly-98.yaml")
    res = _kiosk("validate", str(guides_copy), timeout=60)  # before the fix: hung forever
    _no_traceback(res)
    assert "elderly-98.yaml:1: 不是普通文件（可能是管道、设备或文件夹），不读取" in res.stdout


def test_3_a_link_to_a_device_or_out_of_the_folder_is_not_followed(guides_copy, tmp_path, centre):
    (guides_copy / "elderly" / "elderly-97.yaml").symlink_to("/dev/zero")
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: elderly-96\ntitle: 机密内容 SECRET-TEXT\n", encoding="utf-8")
    (guides_copy / "elderly" / "elderly-96.yaml").symlink_to(secret)
    kb, problems = load_directory(guides_copy, centre)
    text = "\n".join(map(str, problems))
    assert "elderly-97.yaml:1: 这是指向指南文件夹以外的链接" in text or "elderly-97.yaml:1: 不是普通文件" in text
    assert "elderly-96.yaml:1: 这是指向指南文件夹以外的链接，不读取" in text
    assert "SECRET-TEXT" not in text and len(kb) == 195


def test_3_a_link_inside_the_folder_still_works(guides_copy, centre):
    real = guides_copy / "law" / "law-02.yaml"
    moved = guides_copy / "law" / "law-02.real"
    real.rename(moved)
    real.symlink_to(moved)
    kb, problems = load_directory(guides_copy, centre)
    assert kb.get("law-02") is not None and not [p for p in problems if p.is_error]


# -- 4. hidden files ---------------------------------------------------------------------------------
def test_4_hidden_copies_never_change_answers(guides_copy, centre):
    trash = guides_copy / ".Trash-1000" / "files" / "elderly"
    trash.mkdir(parents=True)
    old = (guides_copy / "elderly" / "elderly-01.yaml").read_text(encoding="utf-8")
    (trash / "elderly-01.yaml").write_text(old.replace("敬老卡", "旧卡"), encoding="utf-8")
    (guides_copy / "elderly" / "._elderly-01.yaml").write_bytes(b"\x00\x05\x16\x07 Mac resource fork")
    (guides_copy / "elderly" / ".#elderly-02.yaml").write_text("半截", encoding="utf-8")
    kb, problems = load_directory(guides_copy, centre)
    assert problems == load_directory(GUIDES, centre)[1] or not [p for p in problems if p.is_error]
    assert kb.get("elderly-01").path.endswith(os.path.join("elderly", "elderly-01.yaml"))
    assert ".Trash" not in kb.get("elderly-01").path and len(kb) == 195


def test_4_the_reloader_and_the_loader_see_the_same_files(guides_copy):
    from kiosk.knowledge import files
    from kiosk.staff.reload import snapshot

    (guides_copy / ".Trash-1000").mkdir()
    (guides_copy / ".Trash-1000" / "x.yaml").write_text("x", encoding="utf-8")
    (guides_copy / "law" / ".#law-01.yaml").write_text("x", encoding="utf-8")
    watched = {rel for rel, _, _ in snapshot(guides_copy)}
    read = {e.relative for e in files.walk(guides_copy)}
    assert read <= watched and watched - read == {"catalogue.tsv"}


# -- 6. the staff PIN --------------------------------------------------------------------------------
@pytest.mark.parametrize("line,shown", [("staff_pin: 0000", "0"), ("staff_pin: 0123", "83"),
                                        ("staff_pin: 12:34", "754"), ("staff_pin:", None),
                                        ("staff_pin: '12a4'", None), ("staff_pin: '123'", None)])
def test_6_a_pin_that_is_not_4_to_8_quoted_digits_is_refused_at_start_up(tmp_path, line, shown):
    cfg = tmp_path / "kiosk.yaml"
    cfg.write_text(f"centre:\n  name: 测试中心\nui:\n  {line}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(cfg, env={})
    assert str(exc.value).startswith(f"{cfg}:4: ui.staff_pin")
    if shown is not None:
        assert f"读成 {shown}" in str(exc.value) and "要写成带引号的数字" in str(exc.value)


def test_6_a_quoted_pin_is_kept_exactly():
    assert check_pin_value("0123") == "0123"
    with pytest.raises(PinError):
        check_pin_value(True)


def test_6_wrong_tries_lock_the_pad_with_a_growing_wait():
    t = [0.0]
    guard = PinGuard("2580", clock=lambda: t[0])
    for i in range(MAX_TRIES - 1):
        a = guard.attempt("1111")
        assert not a.ok and a.locked_for == 0 and a.tries_left == MAX_TRIES - 1 - i
    locked = guard.attempt("1111")
    assert locked.locked_for == LOCK_SECONDS and "秒后再试" in PinGuard.message(locked)
    assert not guard.attempt("2580").ok  # the right PIN does not open a locked pad
    t[0] = LOCK_SECONDS + 0.1
    second = guard.attempt("0000")
    assert second.locked_for == 2 * LOCK_SECONDS  # each further wrong try doubles the wait
    t[0] += 2 * LOCK_SECONDS + 0.1
    assert guard.attempt("2580").ok
    assert guard.attempt("1").tries_left == MAX_TRIES - 1  # a success resets the count


# -- 8. the question log report ----------------------------------------------------------------------
def test_8_report_skips_malformed_records_and_says_so(tmp_path, cli):
    log = tmp_path / "questions.jsonl"
    good = {"t": "2026-03-02T09:00:00", "q": "低保怎么申请", "status": "none"}
    lines = [json.dumps({**good, "guide": ["x"]}), json.dumps({**good, "cands": [["a", "b", "c"]]}),
             "[" * 100_000 + "]" * 100_000, json.dumps({**good, "score": "high"}), "垃圾"]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = cli("report", "--log", str(log))
    assert res.code == 0 and "另有 5 行无法读取，已跳过" in res.out
    log.write_text("\n".join(lines + [json.dumps(good)]) + "\n", encoding="utf-8")
    res = cli("report", "--log", str(log))
    assert res.code == 0 and "共 1 个问题" in res.out and "另有 5 行无法读取" in res.out


# -- 9. sizes ----------------------------------------------------------------------------------------
def test_9_an_oversized_file_and_an_overlong_list_are_refused(guides_copy, centre):
    big = guides_copy / "law" / "law-03.yaml"
    big.write_text(big.read_text(encoding="utf-8") + "#" + "x" * 600_000 + "\n", encoding="utf-8")
    many = guides_copy / "law" / "law-04.yaml"
    text = many.read_text(encoding="utf-8")
    many.write_text(text.replace("aliases:\n", "aliases:\n" + "".join(f"  - 别名{i}\n" for i in range(300)), 1),
                    encoding="utf-8")
    kb, problems = load_directory(guides_copy, centre)
    text = "\n".join(map(str, problems))
    assert "law-03.yaml:1: 文件太大" in text
    assert "aliases 有" in text and "太多了（最多 200 项）" in text
    assert kb.get("law-03") is None and kb.get("law-04") is None and len(kb) == 193


# -- 10. consistency ---------------------------------------------------------------------------------
def test_10_a_guide_with_a_key_written_twice_is_not_served(guides_copy, centre):
    path = guides_copy / "law" / "law-01.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("fees:", "fees: 收费\nfees:", 1), encoding="utf-8")
    kb, problems = load_directory(guides_copy, centre)
    assert any("字段 fees 重复出现" in p.message for p in problems)
    assert kb.get("law-01") is None


@pytest.mark.parametrize("gid", ["elderly-٠١", "elderly-" + "1" * 300, "ELDERLY-01"])
def test_10_kiosk_new_refuses_odd_ids_cleanly(guides_copy, cli, gid):
    res = cli("new", "--guides", str(guides_copy), gid)
    assert res.code == 2 and "格式不对" in res.err and len(res.err) < 200


def test_10_ask_with_no_guides_is_an_error_not_silence(tmp_path, cli):
    res = cli("ask", "--guides", str(tmp_path / "nonexistent"), "低保怎么申请")
    assert res.code == 2 and "没有能用的指南" in res.err and res.out == ""


def test_10_make_eval_names_files_that_exist():
    import re

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    block = makefile.split("\neval:", 1)[1].split("\n\n", 1)[0]
    paths = re.findall(r"(\S+\.tsv)", block)
    assert paths and all((ROOT / p).is_file() for p in paths), paths


def test_7_an_empty_log_folder_turns_logging_off_instead_of_crashing():
    from kiosk.staff.qlog import QuestionLog

    config = load_config(env={}).with_overrides({"log": {"dir": ""}})
    assert QuestionLog.from_config(config) is None
