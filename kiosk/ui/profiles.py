"""Device profiles: the screens the kiosk runs on. No Kivy here, so the size is known before Kivy starts."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    label: str  # Chinese, for staff
    width: int
    height: int
    body: int  # body text size in px
    columns: int  # category tiles per row
    popular: int  # most-asked services shown on Home

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def portrait(self) -> bool:
        return self.height > self.width


PROFILES: dict[str, Profile] = {
    "portrait": Profile("portrait", "竖屏一体机", 1080, 1920, 44, 3, 4),
    "landscape": Profile("landscape", "横屏一体机", 1920, 1080, 40, 4, 4),
    "robot": Profile("robot", "服务机器人", 1280, 800, 30, 4, 4),
}
