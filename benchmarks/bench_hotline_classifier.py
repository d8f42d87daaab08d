"""Hotline (12345) classifier benchmark: held-out quality against named baselines, and speed.

Usage: .venv/bin/python benchmarks/bench_hotline_classifier.py [--select] [--json FILE]

Trains ``HotlineClassifier`` on the train split of the shipped corpus
(``lingang/city/corpus/hotline-v1.csv``) and prints, on the hand-written held-out test split:
accuracy, top-3 accuracy and macro-F1, beside the keyword baseline (the keywords of
``categories.yaml``) and the majority-class baseline; then the training time and the latency
of one ``suggest()`` call (p50/p99 over every test text, one at a time, as the operator's
screen asks). Boston 311 asked for 500 ms per suggestion.

``--select`` first repeats the model choice: the candidate models are trained on the train
split minus a validation part (hand-written train rows whose id hashes to 0 mod 4) and scored
on that part only — the test split is never used to choose.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform as host
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

from lingang.city.classify import (
    HotlineClassifier,
    KeywordBaseline,
    LabelledText,
    build_pipeline,
    load_corpus,
    majority_baseline,
    score,
)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return host.processor() or host.machine()


def validation_split(train: list[LabelledText]) -> tuple[list[LabelledText], list[LabelledText]]:
    """(fit, validation): hand-written train rows whose id hashes to 0 mod 4 validate."""

    def held(e: LabelledText) -> bool:
        digest = hashlib.sha256(e.id.encode()).hexdigest()
        return e.origin == "handwritten" and int(digest, 16) % 4 == 0

    return [e for e in train if not held(e)], [e for e in train if held(e)]


def candidates() -> dict[str, Any]:
    """The models compared on the validation split (same features)."""
    return {
        "logistic regression C=5": LogisticRegression(C=5, max_iter=3000),
        "logistic regression C=20": LogisticRegression(C=20, max_iter=3000),
        "linear SVM C=1, sigmoid calibration": CalibratedClassifierCV(
            LinearSVC(C=1, random_state=0), cv=3, method="sigmoid"),
        "linear SVM C=1, isotonic calibration (chosen)": CalibratedClassifierCV(
            LinearSVC(C=1, random_state=0), cv=3, method="isotonic"),
    }  # fmt: skip


def select(train: list[LabelledText]) -> list[dict[str, Any]]:
    """Validation figures of every candidate model."""
    fit, validation = validation_split(train)
    rows = []
    for name, model in candidates().items():
        pipeline = build_pipeline()
        pipeline.steps[-1] = ("model", model)
        started = time.perf_counter()
        pipeline.fit([e.text for e in fit], [e.code for e in fit])
        seconds = time.perf_counter() - started
        proba = pipeline.predict_proba([e.text for e in validation])
        classes = list(pipeline.classes_)
        ranked = [[classes[i] for i in np.argsort(-row)[:3]] for row in proba]
        figures = score(ranked, [e.code for e in validation])
        rows.append({"model": name, "n": figures.n, "accuracy": round(figures.accuracy, 3),
                     "top3": round(figures.top3_accuracy, 3),
                     "macro_f1": round(figures.macro_f1, 3),
                     "fit_s": round(seconds, 2)})  # fmt: skip
    return rows


def run(with_selection: bool) -> dict[str, Any]:
    """Every figure of the benchmark."""
    train, test = load_corpus()
    selection = select(train) if with_selection else []
    started = time.perf_counter()
    classifier = HotlineClassifier().train(train)
    train_s = time.perf_counter() - started
    figures = classifier.evaluate(test)
    keyword = KeywordBaseline().train(train).evaluate(test)
    majority = majority_baseline(train, test)
    latencies = []
    for example in test:
        started = time.perf_counter()
        classifier.suggest(example.text)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {
        "machine": f"{_cpu()}, {host.machine()}, Python {host.python_version()}",
        "train_rows": len(train), "test_rows": len(test), "categories": len(classifier.codes),
        "accuracy": round(figures.accuracy, 3), "top3_accuracy": round(figures.top3_accuracy, 3),
        "macro_f1": round(figures.macro_f1, 3),
        "keyword_baseline_accuracy": round(keyword.accuracy, 3),
        "keyword_baseline_top3": round(keyword.top3_accuracy, 3),
        "keyword_baseline_macro_f1": round(keyword.macro_f1, 3),
        "majority_baseline_accuracy": round(majority.accuracy, 3),
        "accuracy_vs_keyword_baseline": round(figures.accuracy / keyword.accuracy, 2),
        "train_s": round(train_s, 2),
        "suggest_ms_p50": round(statistics.median(latencies), 2),
        "suggest_ms_p99": round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 2),
        "selection": selection,
    }  # fmt: skip


def main() -> None:
    """Run and print (and with ``--json``, write) the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--select", action="store_true", help="repeat the model choice first")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    report = run(args.select)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"machine: {report['machine']}")
    print(f"corpus: {report['train_rows']} train rows, {report['test_rows']} held-out "
          f"hand-written test rows, {report['categories']} categories")  # fmt: skip
    for row in report["selection"]:
        print(f"validation ({row['n']} rows) · {row['model']}: accuracy {row['accuracy']}, "
              f"top-3 {row['top3']}, macro-F1 {row['macro_f1']}, fit {row['fit_s']} s")  # fmt: skip
    print(f"test accuracy {report['accuracy']} · top-3 accuracy {report['top3_accuracy']} · "
          f"macro-F1 {report['macro_f1']}")  # fmt: skip
    print(f"keyword baseline: accuracy {report['keyword_baseline_accuracy']} · top-3 "
          f"{report['keyword_baseline_top3']} · macro-F1 {report['keyword_baseline_macro_f1']}"
          f" · majority-class accuracy {report['majority_baseline_accuracy']}")  # fmt: skip
    print(f"accuracy / keyword baseline: {report['accuracy_vs_keyword_baseline']}×")
    print(f"training {report['train_s']} s · suggest() p50 {report['suggest_ms_p50']} ms, "
          f"p99 {report['suggest_ms_p99']} ms (Boston 311 asked for 500 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
