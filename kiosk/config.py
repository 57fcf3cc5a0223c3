"""Configuration: built-in defaults deep-merged with a deployment file."""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from .knowledge.model import Centre

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DEFAULT_CONFIG = PACKAGE_DIR / "data" / "default_config.yaml"
ENV_VAR = "KIOSK_CONFIG"


class ConfigError(Exception):
    """A deployment config file that cannot be used."""


def _merge(base: dict, override: Mapping) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _not_a_section(base: Mapping, override: Mapping, prefix: str = "") -> str | None:
    """The first key whose default is a group of settings but whose override is not (ui: 3)."""
    for key, value in override.items():
        default = base.get(key) if isinstance(key, str) else None
        if isinstance(default, Mapping):
            if not isinstance(value, Mapping):
                return f"{prefix}{key}"
            inner = _not_a_section(default, value, f"{prefix}{key}.")
            if inner:
                return inner
    return None


@dataclass(frozen=True)
class Config:
    data: Mapping[str, Any]
    base_dir: Path  # relative paths in the deployment file are relative to this

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return node

    def path(self, dotted: str) -> Path | None:
        value = self.get(dotted)
        if value in (None, ""):
            return None
        p = Path(os.path.expanduser(str(value)))
        return p if p.is_absolute() else (self.base_dir / p)

    @property
    def centre(self) -> Centre:
        c = self.get("centre", {})
        return Centre(str(c["name"]), str(c["address"]), str(c["hours"]), str(c["phone"]))

    def with_overrides(self, override: Mapping[str, Any]) -> "Config":
        return Config(_merge(dict(self.data), override), self.base_dir)


def load_config(path: str | os.PathLike | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Defaults, then the file named by path or $KIOSK_CONFIG on top."""
    env = os.environ if env is None else env
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    path = path or env.get(ENV_VAR) or None
    if not path:
        return Config(data, PROJECT_DIR)
    p = Path(path)
    try:
        override = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"无法读取配置文件 {p}：{exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}:1: 配置文件不是 UTF-8 编码，请用 UTF-8 保存") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{p}:{mark.line + 1}" if mark else str(p)
        raise ConfigError(f"{where}: 配置文件格式错误") from exc
    if not isinstance(override, Mapping):
        raise ConfigError(f"{p}:1: 配置文件应该是“字段: 内容”的形式")
    unknown = sorted(map(str, set(override) - set(data)))
    if unknown:
        raise ConfigError(f"{p}:1: 未知配置项 {'、'.join(unknown)}")
    section = _not_a_section(data, override)
    if section:
        raise ConfigError(f"{p}:{_line_of(p, section.rsplit('.', 1)[-1])}: {section} 应该是一组“字段: 内容”的设置，"
                          f"参照 kiosk/data/default_config.yaml")
    config = Config(_merge(data, override), p.resolve().parent)
    _check_values(config, p)
    return config


def _line_of(path: Path, key: str) -> int:
    try:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip().startswith(f"{key}:"):
                return n
    except (OSError, UnicodeDecodeError):
        pass
    return 1


def _check_values(config: Config, path: Path) -> None:
    """Values that would silently become something else are refused at start-up, with where and how to fix."""
    from .staff.pin import PinError, staff_pin

    try:
        staff_pin(config)
    except PinError as exc:
        raise ConfigError(f"{path}:{_line_of(path, 'staff_pin')}: {exc}") from exc
    centre = config.get("centre")
    if not isinstance(centre, Mapping) or any(not isinstance(centre.get(k), (str, int)) or centre.get(k) in ("", None)
                                              for k in ("name", "address", "hours", "phone")):
        raise ConfigError(f"{path}:{_line_of(path, 'centre')}: centre 要写 name、address、hours、phone 四项文字")
