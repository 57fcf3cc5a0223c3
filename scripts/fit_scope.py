#!/usr/bin/env python3
"""Fit the out-of-scope model (kiosk/data/scope_model.json) with 5-fold cross-validation.

Training questions (never held-out half b, never set c):
  in scope:      the guides' own questions, each asked leave-one-out (kiosk eval --loo) as written and
                 misheard (--garble 0.15 --seed 1), held-out half a (inscope_a.tsv), and the training
                 questions of tests/data/scope-train/inscope_train.tsv;
  out of scope:  tests/data/none_queries.tsv, held-out half a (oos_a.tsv), the NONE rows of the dev sets,
                 and tests/data/scope-train/oos_train.tsv.

Prints, per probability threshold, the cross-validated share of in-scope questions turned away (beyond
those already turned away) and of out-of-scope questions rejected by the model alone, then writes the
model fitted on everything. Run from the project root:

    .venv/bin/python scripts/fit_scope.py [--write]
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.config import load_config  # noqa: E402
from kiosk.evaluation import NONE_LABEL, decide, features, garble, loo_matchers, read_rows  # noqa: E402
from kiosk.knowledge import load_directory  # noqa: E402
from kiosk.matching import NONE, Matcher, Settings  # noqa: E402
from kiosk.matching.scope import MODEL_FILE, fit  # noqa: E402

HELD = ROOT / "tests" / "data" / "heldout-2026-12-02"
TRAIN = ROOT / "tests" / "data" / "scope-train"  # written for training only, from the catalogue's titles
THRESHOLDS = (0.8, 0.85, 0.9, 0.93, 0.95, 0.97)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", nargs="*", default=[str(ROOT.parent / "shared" / "eval" / "dev_queries.tsv"),
                                                 str(ROOT.parent / "shared" / "eval" / "dev2_queries.tsv")],
                    help="dev sets whose NONE rows are used (default ../shared/eval/dev*_queries.tsv)")
    ap.add_argument("--l2", type=float, default=1e-2)
    ap.add_argument("--write", action="store_true", help=f"write {MODEL_FILE.relative_to(ROOT)}")
    args = ap.parse_args()

    kb, _ = load_directory(ROOT / "guides", load_config(None).centre)
    st = Settings()
    matcher = Matcher.for_knowledge(kb, st)
    rows = []  # (group key, set name, Features, garbled)

    def add(m, query: str, expected: str, name: str, garbled_too: bool = False) -> None:
        rows.append((query, name, features(m, query, expected), False))
        if garbled_too:
            rows.append((query, name + " misheard", features(m, garble(query, 0.15, 1), expected), True))

    for m, _, loo_rows in loo_matchers(kb, st):
        for r in loo_rows:
            add(m, r.query, r.expected, "LOO", garbled_too=True)
    for path in (HELD / "inscope_a.tsv", TRAIN / "inscope_train.tsv"):
        for r in read_rows(path) if path.exists() else ():
            add(matcher, r.query, r.expected, path.stem)
    for path in [ROOT / "tests" / "data" / "none_queries.tsv", HELD / "oos_a.tsv", TRAIN / "oos_train.tsv",
                 *map(Path, args.dev)]:
        for r in read_rows(path):
            if r.expected == NONE_LABEL:
                add(matcher, r.query, r.expected, path.stem)
    rows = [r for r in rows if r[2].scope_x is not None]
    x = np.array([f.scope_x for _, _, f, _ in rows])
    y = np.array([f.expected == NONE_LABEL for _, _, f, _ in rows], dtype=np.float64)
    weight = np.where(y == 1, (1 - y).sum() / max(y.sum(), 1), 1.0)  # both classes weigh the same
    fold = np.array([zlib.crc32(key.encode()) % 5 for key, _, _, _ in rows])  # a question and its misheard copy together
    p = np.zeros(len(rows))
    for k in range(5):
        model = fit(x[fold != k], y[fold != k], weight[fold != k], args.l2)
        p[fold == k] = [model.probability(v) for v in x[fold == k]]

    off = dataclasses.replace(st, scope_reject=2.0)
    already = np.array([decide(f, off)[0] == NONE for _, _, f, _ in rows])
    no_topic = np.array([decide(dataclasses.replace(f, topic=None), off)[0] == NONE for _, _, f, _ in rows])
    best = np.array([f.scores[0][1] for _, _, f, _ in rows])
    names = sorted({name for _, name, _, _ in rows})
    print(f"{len(rows)} questions; 5-fold cross-validated, best guide below {st.scope_max_best:g}:")
    print("threshold  " + "  ".join(names) + "  | out of scope not reached by topics or none_score")
    for t in THRESHOLDS:
        hit = (p >= t) & (best < st.scope_max_best)
        cells = []
        for name in names:
            sel = np.array([n == name for _, n, _, _ in rows])
            if y[sel].mean() == 0:  # in scope: newly turned away
                cells.append(f"{100 * (hit & ~already)[sel].mean():.1f}% turned away")
            else:
                cells.append(f"{100 * (hit | already)[sel].mean():.1f}% rejected")
        hard = (y == 1) & ~no_topic
        print(f"{t:.2f}  " + ", ".join(f"{n}: {c}" for n, c in zip(names, cells))
              + f" | {100 * hit[hard].mean():.1f}% of {hard.sum()}")
    # Two bands: below scope_list_floor none at P >= low; from there to scope_max_best a doubtful list, or
    # none at P >= high (the model sure: 你今年几岁了 is no question for any guide it half fits).
    print(f"two bands: none at P >= low (best < {st.scope_list_floor:g}) or P >= high (best < {st.scope_max_best:g}):")
    for low in (0.85, 0.9, 0.93, 0.95):
        for high in (0.97, 0.98, 0.99, 0.995, 2.0):
            hit = ((p >= low) & (best < st.scope_list_floor)) | ((p >= high) & (best < st.scope_max_best))
            cells = []
            for name in names:
                sel = np.array([n == name for _, n, _, _ in rows])
                if y[sel].mean() == 0:
                    cells.append(f"{name} {100 * (hit & ~already)[sel].mean():.1f}")
                else:
                    cells.append(f"{name} {100 * (hit | already)[sel].mean():.1f}")
            print(f"low {low:.2f} high {high:.3f}: " + ", ".join(cells))
    model = fit(x, y, weight, args.l2, guides=len(kb.guides))
    print("weights:", dict(zip(model.features, np.round(model.weights, 3))), "bias", round(model.bias, 3))
    if args.write:
        MODEL_FILE.write_text(model.to_json(trained_on=len(rows), note="written by scripts/fit_scope.py"),
                              encoding="utf-8")
        print(f"wrote {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
