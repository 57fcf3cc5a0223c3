"""kiosk new: write a guide skeleton in the right category folder for staff to fill in."""
from __future__ import annotations

import argparse
from pathlib import Path

from .common import CommandError, add_guides_option, config_of, guides_dir
from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="新建指南文件 / write a new guide skeleton",
                       description="Write guides/<category>/<GUIDE_ID>.yaml with every field and a Chinese note "
                                   "on what to write. It does not validate until every 待填写 is replaced.")
    p.add_argument("guide_id", metavar="GUIDE_ID", help="e.g. assistance-20")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    add_guides_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    from ..knowledge.loader import CATALOGUE_FILE, CATEGORIES_FILE, load_categories, read_catalogue
    from ..staff.skeleton import ID_PATTERN, Seed, skeleton

    config = config_of(args, env)
    base = Path(guides_dir(args, config))
    gid = args.guide_id.strip()
    m = ID_PATTERN.match(gid)
    if not m:
        raise CommandError(f"编号 {gid[:40]} 格式不对，应为 类别-两到四位数字编号（英文字母和阿拉伯数字），如 assistance-20")
    category = m.group(1)
    known = {c.id for c in load_categories(base, str(base), [])}
    if category not in known:
        raise CommandError(f"类别 {category} 不存在（见 {base / CATEGORIES_FILE}）")
    row = None
    if (base / CATALOGUE_FILE).is_file():
        problems: list = []
        row = next((r for r in read_catalogue(base / CATALOGUE_FILE, problems, base=base) if r.id == gid), None)
        for p in problems[:5]:
            env.err(str(p))
    if row is not None and row.category != category:
        raise CommandError(f"目录中 {gid} 的类别是 {row.category}，与编号不一致")
    path = base / category / f"{gid}.yaml"
    if path.exists() and not args.force:
        raise CommandError(f"{path} 已经存在；要重新生成请加 --force")
    seed = Seed(gid, category, row.title if row else None, row.aliases if row else ())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(skeleton(seed), encoding="utf-8")
    env.out(str(path))
    if row is None:
        env.err(f"注意：{gid} 不在 {CATALOGUE_FILE} 中，请在目录里加一行，否则检查会报错。")
    env.err(f"已生成 {path}。把每个“待填写”改成真实内容后运行：kiosk validate {base}")
    return 0
