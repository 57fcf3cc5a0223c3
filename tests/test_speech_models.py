"""Model download, verification and atomic install, against a local HTTP server on 127.0.0.1."""
from __future__ import annotations

import http.server
import io
import re
import threading
import zipfile
from pathlib import Path

import pytest

from kiosk.speech.models import (DEFAULT_MODEL, KNOWN_MODELS, ModelError, download_model, install_archive,
                                 installed_models, model_problem)

LAYOUT = {
    "am/final.mdl": b"acoustic model bytes" * 50,
    "conf/model.conf": b"--min-active=200\n",
    "conf/mfcc.conf": b"--use-energy=false\n",
    "graph/HCLr.fst": b"fst" * 100,
    "graph/Gr.fst": b"fst" * 100,
    "graph/phones/word_boundary.int": b"1 nonword\n",
    "ivector/final.ie": b"ie" * 30,
    "README": b"test model\n",
}


def make_zip(name: str, files: dict[str, bytes] = LAYOUT, top: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for rel, data in files.items():
            z.writestr(f"{name}/{rel}" if top else rel, data)
    return buf.getvalue()


class Server:
    """Serves routes: path -> (body, mode). mode 'ok', 'truncate' (promises more than it sends),
    'nolength' (no Content-Length), or an HTTP status code."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, object]] = {}
        self.requests: list[str] = []
        routes, requests = self.routes, self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                requests.append(self.path)
                body, mode = routes.get(self.path, (b"", 404))
                if isinstance(mode, int):
                    self.send_error(mode)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                if mode != "nolength":
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                sent = body[: len(body) // 2] if mode == "truncate" else body
                self.wfile.write(sent)
                self.wfile.flush()
                if mode in ("truncate", "nolength"):
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def _leftovers(folder: Path) -> list[str]:
    """What a download left besides the checksum it pinned."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".zip.sha256")) if folder.exists() else []


def test_download_installs_a_verified_model(server, tmp_path, cli):
    server.routes["/m.zip"] = (make_zip("vosk-model-test-1"), "ok")
    seen = []
    path = download_model("vosk-model-test-1", tmp_path / "models", url=server.url("/m.zip"),
                          progress=lambda done, total: seen.append((done, total)))
    assert path == tmp_path / "models" / "vosk-model-test-1"
    assert (path / "am" / "final.mdl").read_bytes() == LAYOUT["am/final.mdl"]
    assert model_problem(path) is None
    assert _leftovers(tmp_path / "models") == ["vosk-model-test-1"]  # no .part, no unpack folder
    total = len(server.routes["/m.zip"][0])
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert [m.name for m in installed_models(tmp_path / "models")] == ["vosk-model-test-1"]


def test_the_first_download_pins_its_checksum_and_a_different_archive_is_refused(server, tmp_path):
    import hashlib

    first = make_zip("vosk-model-test-9")
    server.routes["/m.zip"] = (first, "ok")
    download_model("vosk-model-test-9", tmp_path / "models", url=server.url("/m.zip"))
    pin = tmp_path / "models" / "vosk-model-test-9.zip.sha256"
    assert pin.read_text(encoding="ascii").split()[0] == hashlib.sha256(first).hexdigest()
    server.routes["/m.zip"] = (make_zip("vosk-model-test-9", {**LAYOUT, "am/final.mdl": b"tampered"}), "ok")
    with pytest.raises(ModelError, match="校验和不对"):
        download_model("vosk-model-test-9", tmp_path / "models", url=server.url("/m.zip"), force=True)
    assert (tmp_path / "models" / "vosk-model-test-9" / "am" / "final.mdl").read_bytes() == LAYOUT["am/final.mdl"]


def test_cli_download_shows_progress_and_list_shows_it(server, tmp_path, cli):
    archive = make_zip("vosk-model-test-2")
    server.routes["/x.zip"] = (archive, "ok")
    res = cli("models", "--dir", str(tmp_path), "download", "vosk-model-test-2", "--url", server.url("/x.zip"))
    assert res.code == 0, res.err
    assert "已安装" in res.out
    # the bar is redrawn in place; its last state is full, at 100%, with the archive's real size
    last = res.err.split("\r")[-1].splitlines()[0]
    m = re.search(r"\[([#-]+)\]\s+([\d.]+)%\s+([\d.]+)/([\d.]+) MB", last)
    assert m, res.err
    assert set(m.group(1)) == {"#"} and float(m.group(2)) == 100.0
    assert m.group(3) == m.group(4) == f"{len(archive) / 1e6:.1f}"
    res = cli("models", "--dir", str(tmp_path), "list")
    assert res.code == 0
    assert "vosk-model-test-2" in res.out and "可用" in res.out
    # a second download of the same name refuses to clobber it; --force replaces it
    res = cli("models", "--dir", str(tmp_path), "download", "vosk-model-test-2", "--url", server.url("/x.zip"))
    assert res.code == 2 and "已存在" in res.err
    res = cli("models", "--dir", str(tmp_path), "download", "vosk-model-test-2", "--url", server.url("/x.zip"),
              "--force")
    assert res.code == 0, res.err
    assert _leftovers(tmp_path) == ["vosk-model-test-2"]


def test_default_download_address_is_the_official_site():
    assert KNOWN_MODELS[DEFAULT_MODEL].url == "https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip"


def test_archive_without_top_folder_is_accepted(server, tmp_path):
    server.routes["/flat.zip"] = (make_zip("x", top=False), "ok")
    path = download_model("vosk-model-flat", tmp_path, url=server.url("/flat.zip"))
    assert model_problem(path) is None


@pytest.mark.parametrize("mode,message", [("truncate", "下载中断"), (404, "404")])
def test_interrupted_or_failed_download_leaves_nothing(server, tmp_path, mode, message):
    server.routes["/m.zip"] = (make_zip("vosk-model-test-3"), mode)
    with pytest.raises(ModelError, match=message):
        download_model("vosk-model-test-3", tmp_path, url=server.url("/m.zip"))
    assert _leftovers(tmp_path) == []


def test_truncated_archive_without_length_is_caught_by_zip_check(server, tmp_path):
    data = make_zip("vosk-model-test-4")
    server.routes["/m.zip"] = (data[: len(data) - 200], "nolength")
    with pytest.raises(ModelError, match="zip"):
        download_model("vosk-model-test-4", tmp_path, url=server.url("/m.zip"))
    assert _leftovers(tmp_path) == []


def test_corrupt_archive_fails_its_crc_check(server, tmp_path):
    payload = bytes(range(256)) * 40
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for rel, data in {**LAYOUT, "am/final.mdl": payload}.items():
            z.writestr(f"vosk-model-test-5/{rel}", data)
    data = bytearray(buf.getvalue())
    data[data.find(payload) + 1000] ^= 0xFF  # one flipped byte inside am/final.mdl
    server.routes["/m.zip"] = (bytes(data), "ok")
    with pytest.raises(ModelError, match="final.mdl 校验失败"):
        download_model("vosk-model-test-5", tmp_path, url=server.url("/m.zip"))
    assert _leftovers(tmp_path) == []


def test_corrupt_compressed_data_is_rejected(server, tmp_path):
    data = bytearray(make_zip("vosk-model-test-5b", {**LAYOUT, "am/final.mdl": bytes(range(256)) * 400}))
    data[len(data) // 3] ^= 0xFF
    server.routes["/m.zip"] = (bytes(data), "ok")
    with pytest.raises(ModelError, match="损坏|zip"):
        download_model("vosk-model-test-5b", tmp_path, url=server.url("/m.zip"))
    assert _leftovers(tmp_path) == []


def test_archive_that_is_not_a_model_is_rejected(server, tmp_path):
    server.routes["/m.zip"] = (make_zip("vosk-model-test-6", {"conf/model.conf": b"x", "README": b"y"}), "ok")
    with pytest.raises(ModelError, match="am/final.mdl"):
        download_model("vosk-model-test-6", tmp_path, url=server.url("/m.zip"))
    assert _leftovers(tmp_path) == []


def test_unsafe_paths_in_archive_are_rejected(server, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for rel, data in LAYOUT.items():
            z.writestr(f"m/{rel}", data)
        z.writestr("m/../../evil.txt", b"x")
    server.routes["/m.zip"] = (buf.getvalue(), "ok")
    with pytest.raises(ModelError, match="不安全"):
        download_model("m", tmp_path / "models", url=server.url("/m.zip"))
    assert not (tmp_path / "evil.txt").exists()


def test_checksum_is_verified_when_given(server, tmp_path):
    import hashlib

    data = make_zip("vosk-model-test-7")
    server.routes["/m.zip"] = (data, "ok")
    with pytest.raises(ModelError, match="校验和"):
        download_model("vosk-model-test-7", tmp_path, url=server.url("/m.zip"), sha256="0" * 64)
    assert _leftovers(tmp_path) == []
    good = hashlib.sha256(data).hexdigest()
    assert download_model("vosk-model-test-7", tmp_path, url=server.url("/m.zip"), sha256=good).is_dir()


def test_known_model_of_the_wrong_size_is_rejected(server, tmp_path):
    server.routes["/cn.zip"] = (make_zip(DEFAULT_MODEL), "ok")  # a few kB, not 42 MB
    with pytest.raises(ModelError, match="大小不对"):
        download_model(DEFAULT_MODEL, tmp_path, url=server.url("/cn.zip"))
    assert _leftovers(tmp_path) == []


def test_ctrl_c_during_download_leaves_nothing_and_keeps_the_old_model(server, tmp_path, cli):
    server.routes["/m.zip"] = (make_zip("vosk-model-test-8"), "ok")
    download_model("vosk-model-test-8", tmp_path, url=server.url("/m.zip"))
    before = (tmp_path / "vosk-model-test-8" / "am" / "final.mdl").read_bytes()
    server.routes["/m.zip"] = (make_zip("vosk-model-test-8", {**LAYOUT, "am/final.mdl": b"new"}), "ok")

    def interrupt(done, total):
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download_model("vosk-model-test-8", tmp_path, url=server.url("/m.zip"), force=True, progress=interrupt)
    assert _leftovers(tmp_path) == ["vosk-model-test-8"]
    assert (tmp_path / "vosk-model-test-8" / "am" / "final.mdl").read_bytes() == before


def test_ctrl_c_during_unpack_restores_nothing_half_written(server, tmp_path, monkeypatch):
    import shutil

    server.routes["/m.zip"] = (make_zip("vosk-model-test-9"), "ok")
    calls = {"n": 0}
    real = shutil.copyfileobj

    def flaky(src, dst, length=0):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(src, dst, length)

    monkeypatch.setattr(shutil, "copyfileobj", flaky)
    with pytest.raises(KeyboardInterrupt):
        download_model("vosk-model-test-9", tmp_path, url=server.url("/m.zip"))
    assert _leftovers(tmp_path) == []


def test_cli_reports_an_interrupted_download_in_chinese(server, tmp_path, cli):
    server.routes["/m.zip"] = (make_zip("vosk-model-test-10"), "truncate")
    res = cli("models", "--dir", str(tmp_path), "download", "vosk-model-test-10", "--url", server.url("/m.zip"))
    assert res.code == 2
    assert "没有安装" in res.err and "下载中断" in res.err
    assert _leftovers(tmp_path) == []


def test_unreachable_server_is_a_clear_error(tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(ModelError, match="下载失败"):
        download_model("vosk-model-x", tmp_path, url=f"http://127.0.0.1:{port}/m.zip", timeout=5)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["", "../x", ".hidden", "a/b"])
def test_bad_model_names(tmp_path, name):
    with pytest.raises(ModelError):
        download_model(name, tmp_path, url="http://127.0.0.1:9/never")


def test_model_problem_messages(tmp_path):
    assert "kiosk models download" in model_problem(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    assert "文件夹" in model_problem(tmp_path / "file")
    m = tmp_path / "m"
    (m / "am").mkdir(parents=True)
    (m / "am" / "final.mdl").write_bytes(b"")
    (m / "conf").mkdir()
    (m / "conf" / "model.conf").write_text("x")
    problem = model_problem(m)
    assert "graph" in problem and "不完整" in problem
    (m / "graph").mkdir()
    (m / "graph" / "HCLG.fst").write_bytes(b"x")
    assert "空文件" in model_problem(m)
    (m / "am" / "final.mdl").write_bytes(b"x")
    assert model_problem(m) is None
    assert "recognition.model" in model_problem(None)


def test_install_archive_from_a_local_file(tmp_path):
    z = tmp_path / "local.zip"
    z.write_bytes(make_zip("vosk-model-local"))
    (tmp_path / "models").mkdir()
    out = install_archive(z, tmp_path / "models", "vosk-model-local")
    assert out == tmp_path / "models" / "vosk-model-local" and model_problem(out) is None


def test_list_marks_broken_models_and_the_configured_one(tmp_path, cli):
    (tmp_path / "broken" / "am").mkdir(parents=True)
    res = cli("models", "--dir", str(tmp_path), "list")
    assert res.code == 0
    assert "broken" in res.out and "损坏" in res.out
    assert "配置的模型" in res.out  # the configured default is not in this folder: say where it is expected


def test_offline_install_from_a_copied_archive(tmp_path, cli):
    z = tmp_path / "copied.zip"
    z.write_bytes(make_zip("vosk-model-copied"))
    res = cli("models", "--dir", str(tmp_path / "models"), "download", "vosk-model-copied", "--url", z.as_uri())
    assert res.code == 0, res.err
    assert model_problem(tmp_path / "models" / "vosk-model-copied") is None
