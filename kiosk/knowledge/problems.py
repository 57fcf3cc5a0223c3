"""Problems found while loading guides, reported as ``path:line: message``."""
from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        prefix = "警告：" if self.severity == WARNING else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR
