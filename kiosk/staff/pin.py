"""The staff PIN: read from the config as a string of 4–8 digits, and guarded against guessing.

YAML reads an unquoted ``staff_pin: 0000`` as the number 0, ``0123`` as 83 (octal) and ``12:34`` as 754
(base 60), so a PIN that is not a quoted string is refused with a message that says how to write it,
instead of silently becoming a different PIN. After :data:`MAX_TRIES` wrong tries the pad locks, for
:data:`LOCK_SECONDS` and twice as long after each further wrong try, so nobody can try all 10,000
four-digit PINs at a kiosk in the hall.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Callable

DEFAULT_PIN = "0000"
MAX_TRIES = 5
LOCK_SECONDS = 30.0
MAX_LOCK_SECONDS = 3600.0
_PIN = re.compile(r"^[0-9]{4,8}$")


class PinError(ValueError):
    """A staff PIN in the config that cannot be used."""


def check_pin_value(value: object) -> str:
    """The PIN as a string, or PinError saying how to write it."""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        raise PinError(f"ui.staff_pin 要写成带引号的数字，例如 staff_pin: \"2580\"（不带引号时 YAML 会把它读成 {value!r}，"
                       f"开头的 0 和冒号都会变）")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PinError("ui.staff_pin 是空的：请写 4–8 位数字，例如 staff_pin: \"2580\"")
    if not isinstance(value, str) or not _PIN.match(value.strip()):
        shown = str(value)[:20]
        raise PinError(f"ui.staff_pin 应是 4–8 位数字（0–9），现在是 {shown!r}")
    return value.strip()


def staff_pin(config) -> str:
    return check_pin_value(config.get("ui.staff_pin", DEFAULT_PIN))


@dataclass(frozen=True)
class Attempt:
    ok: bool
    locked_for: float = 0.0  # seconds until the next try is allowed (0 when not locked)
    tries_left: int = MAX_TRIES


class PinGuard:
    """Checks typed PINs; locks with a growing wait after MAX_TRIES wrong ones. Clock passed in."""

    def __init__(self, pin: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._pin = check_pin_value(pin)
        self._clock = clock
        self._wrong = 0
        self._locked_until = 0.0

    def locked_for(self) -> float:
        return max(0.0, self._locked_until - self._clock())

    def attempt(self, typed: str) -> Attempt:
        wait = self.locked_for()
        if wait > 0:
            return Attempt(False, wait, 0)
        if typed == self._pin:
            self._wrong = 0
            return Attempt(True)
        self._wrong += 1
        if self._wrong >= MAX_TRIES:
            lock = min(LOCK_SECONDS * 2 ** (self._wrong - MAX_TRIES), MAX_LOCK_SECONDS)
            self._locked_until = self._clock() + lock
            return Attempt(False, lock, 0)
        return Attempt(False, 0.0, MAX_TRIES - self._wrong)

    @staticmethod
    def message(attempt: Attempt) -> str:
        """What the pad shows after a try, in Chinese."""
        if attempt.ok:
            return ""
        if attempt.locked_for > 0:
            return f"错误次数过多，请 {int(attempt.locked_for + 0.999)} 秒后再试"
        return f"密码不对，还可以再试 {attempt.tries_left} 次"
