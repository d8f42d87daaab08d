"""Builds ``hotline-v1.csv`` from the hand-written sources beside it (README.md says how).

Usage: .venv/bin/python -m lingang.city.corpus.build [--check]

* ``handwritten.tsv``: whole sentences written by hand, one per line (``origin=handwritten``);
* ``phrases.yaml``: hand-written phrase parts composed with a fixed seed (``origin=composed``).

The test split is drawn from the hand-written rows only: within each category the rows are
ranked by the SHA-256 of their text and the first :data:`TEST_PER_CATEGORY` are test. Composed
rows are always train, so no template seen in training is scored as held-out.
``--check`` exits 1 when the shipped CSV differs from a fresh build (used by the tests).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import random
import sys
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from lingang.errors import Invalid
from lingang.yamltext import load_yaml

CORPUS_FILE = "hotline-v1.csv"
COLUMNS = ("id", "text", "category", "split", "origin")
TEST_PER_CATEGORY = 4
COMPOSED_PER_CATEGORY = 18
SEED = 20260901


@dataclass(frozen=True, slots=True)
class Row:
    """One corpus row as written to the CSV."""

    id: str
    text: str
    category: str
    split: str
    origin: str


def source(name: str) -> str:
    """The text of a source file beside this module."""
    return (files("lingang.city.corpus") / name).read_text(encoding="utf-8")


def handwritten() -> list[tuple[str, str]]:
    """``(category, text)`` of every hand-written line, in file order."""
    out: list[tuple[str, str]] = []
    for number, line in enumerate(source("handwritten.tsv").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        code, sep, text = line.partition("\t")
        if not sep or not text.strip():
            raise Invalid(f"handwritten.tsv:{number}", "must be CODE<TAB>text")
        out.append((code.strip(), text.strip()))
    return out


def compose(category: str, parts: dict[str, Any], shared: dict[str, Any],
            rng: random.Random) -> str:  # fmt: skip
    """One composed citizen text for ``category``."""
    subject, problem = rng.choice(parts["subjects"]), rng.choice(parts["problems"])
    place, link = rng.choice(shared["places"]), rng.choice(shared["links"])
    concern, closer = rng.choice(shared["concerns"]), rng.choice(shared["closers"])
    opener = rng.choice(shared["openers"])
    shape = rng.randrange(3)
    if shape == 0:
        body = "，".join(p for p in (f"{place}{link}{subject}{problem}", concern) if p)
    elif shape == 1:
        body = "，".join(p for p in (f"{subject}{problem}", concern, f"地点在{place}") if p)
    else:
        body = "，".join(p for p in (f"{place}{link}的{subject}{problem}", concern) if p)
    return f"{opener}{body}。{closer}".replace("。。", "。")


def composed(seen: set[str]) -> list[tuple[str, str]]:
    """``COMPOSED_PER_CATEGORY`` distinct composed texts per category of ``phrases.yaml``."""
    data = load_yaml(source("phrases.yaml"))
    rng = random.Random(SEED)
    out: list[tuple[str, str]] = []
    for category, parts in data["categories"].items():
        made = 0
        for _ in range(COMPOSED_PER_CATEGORY * 50):
            text = compose(category, parts, data, rng)
            if text not in seen:
                seen.add(text)
                out.append((category, text))
                made += 1
            if made == COMPOSED_PER_CATEGORY:
                break
    return out


def rank_key(text: str) -> str:
    """The stable hash that orders a category's hand-written rows for the split."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_rows() -> list[Row]:
    """Every corpus row, hand-written first, in a stable order."""
    hand = handwritten()
    test: set[str] = set()
    for category in dict.fromkeys(code for code, _ in hand):
        texts = sorted((t for c, t in hand if c == category), key=rank_key)
        test.update(texts[:TEST_PER_CATEGORY])
    counters: dict[str, int] = {}
    rows: list[Row] = []
    for origin, items in (("handwritten", hand), ("composed", composed({t for _, t in hand}))):
        for category, text in items:
            number = counters[f"{origin}{category}"] = counters.get(f"{origin}{category}", 0) + 1
            split = "test" if origin == "handwritten" and text in test else "train"
            rows.append(Row(f"{origin[0]}-{category}-{number:02d}", text, category, split, origin))
    return rows


def to_csv(rows: list[Row]) -> str:
    """The CSV text (UTF-8, ``\\n`` line ends, a header row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows((r.id, r.text, r.category, r.split, r.origin) for r in rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write (or, with ``--check``, compare) ``hotline-v1.csv``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = to_csv(build_rows())
    target = files("lingang.city.corpus") / CORPUS_FILE
    if args.check:
        return 0 if target.read_text(encoding="utf-8") == text else 1
    with open(str(target), "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
