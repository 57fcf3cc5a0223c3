"""The world a command sees: streams and environment variables, replaceable in tests."""
from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass, field
from typing import IO, Mapping


def _stdin_text() -> IO[str]:
    # Read bytes and decode leniently: binary junk on stdin must not raise.
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace", newline=None)


@dataclass
class Environment:
    stdin: IO[str] = field(default_factory=_stdin_text)
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    def out(self, text: str = "") -> None:
        self.stdout.write(text + "\n")

    def err(self, text: str) -> None:
        self.stderr.write(text + "\n")
        self.stderr.flush()
