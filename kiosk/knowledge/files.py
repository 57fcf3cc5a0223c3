"""Which files under a guide folder are read, and how: one rule for the loader and the live reloader.

Staff copy folders around with file managers, editors and sync tools, which leave hidden files
(``.Trash-1000/``, ``._x.yaml``, ``.#x.yaml``), links and now and then something that is not a file at all.
The rule: regular files with the right ending, not hidden and not inside a hidden folder, no link that
leads out of the guide folder, and no file larger than :data:`MAX_FILE_BYTES`. Anything else under the
folder that looks like a guide is reported (never read, never waited on).
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

#: A guide is a few kilobytes; the catalogue of 195 rows about 20 KB.
MAX_FILE_BYTES = 512 * 1024
GUIDE_SUFFIXES = (".yaml", ".yml")
WATCHED_SUFFIXES = (".yaml", ".yml", ".tsv")


@dataclass(frozen=True)
class Entry:
    path: Path  # as found under the folder (not resolved)
    relative: str
    size: int
    mtime_ns: int
    problem: str | None = None  # why it is not read, in Chinese; None when it is read


def _inside(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


def check_file(path: Path, base_real: str) -> tuple[os.stat_result | None, str | None]:
    """(stat of what would be read, None) or (stat or None, the reason it is not read)."""
    try:
        lst = os.lstat(path)
    except OSError as exc:
        return None, f"无法读取文件：{exc.strerror or exc}"
    st = lst
    if stat.S_ISLNK(lst.st_mode):
        real = os.path.realpath(path)
        if not _inside(real, base_real):
            return None, "这是指向指南文件夹以外的链接，不读取；请把文件本身放进指南文件夹"
        try:
            st = os.stat(real)
        except OSError as exc:
            return None, f"链接指向的文件不存在或无法读取：{exc.strerror or exc}"
    if not stat.S_ISREG(st.st_mode):
        return st, "不是普通文件（可能是管道、设备或文件夹），不读取"
    if st.st_size > MAX_FILE_BYTES:
        return st, f"文件太大（{st.st_size // 1024} KB），一个指南文件不应超过 {MAX_FILE_BYTES // 1024} KB"
    return st, None


def walk(base: Path, suffixes: tuple[str, ...] = GUIDE_SUFFIXES) -> Iterator[Entry]:
    """Every file under base with one of the suffixes, hidden ones skipped, in a stable order."""
    base_real = os.path.realpath(base)
    for root, dirs, files in os.walk(base):  # does not descend into linked folders
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not name.endswith(suffixes):
                continue
            path = Path(root) / name
            st, problem = check_file(path, base_real)
            yield Entry(path, os.path.relpath(path, base), st.st_size if st else 0, st.st_mtime_ns if st else 0,
                        problem)


def read_bytes(path: Path) -> bytes:
    """At most MAX_FILE_BYTES + 1 bytes; never blocks on a file swapped for a pipe after it was checked."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "不是普通文件")
        chunks, left = [], MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
