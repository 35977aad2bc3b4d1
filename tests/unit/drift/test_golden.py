"""Drift payloads against golden files: the report of every published Model Monitor and
Clarify sample, every published output folder in tests/fixtures/real/monitor (its text as a
responder reads it, and its Slack payload), and a computed comparison of two small datasets
(README: Drift).

Reports are read from a folder holding the sample under the name Model Monitor gives it; the
folder's path is shown in the payload, so it is replaced by a fixed name first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.drift.compare import compare_data
from bot.drift.files import LocalFolder
from bot.drift.render import render_comparison, render_report
from bot.drift.reports import load
from bot.drift.sources import open_input
from bot.drift.textual import report_text
from tests.goldens import Goldens, slack_problems
from tests.unit.drift.samples import REAL_FOLDERS, REPORT_SAMPLES, copy_real, put_sample

GOLDENS = Goldens("drift")
SHOWN_AS = "s3://ml-monitoring/fraud-prod/2026/11/25/06"


def report_payload(fixture: str, folder: Path) -> dict[str, Any]:
    put_sample(folder, fixture)
    payload, _ = render_report(load(LocalFolder(folder, SHOWN_AS)))
    return payload


@pytest.mark.parametrize("fixture", sorted(REPORT_SAMPLES))
def test_report_matches_golden(fixture: str, tmp_path: Path) -> None:
    payload = report_payload(fixture, tmp_path)
    assert slack_problems([payload]) == []
    GOLDENS.check("report-" + fixture.removesuffix(".json"), payload)


@pytest.mark.parametrize("folder", REAL_FOLDERS)
def test_real_output_folder_matches_golden(folder: str, tmp_path: Path) -> None:
    report = load(LocalFolder(copy_real(folder, tmp_path), SHOWN_AS))
    payload, _ = render_report(report)
    assert slack_problems([payload]) == []
    text = report_text(report)
    GOLDENS.check("real-" + folder, {"text": text.splitlines(), "payload": payload})


@pytest.mark.parametrize("folder", REAL_FOLDERS)
def test_every_file_of_a_real_output_folder_is_read(folder: str, tmp_path: Path) -> None:
    """Nothing published goes unseen: every file is read, none is a problem."""
    report = load(LocalFolder(copy_real(folder, tmp_path), SHOWN_AS))
    assert report.problems == []
    assert sorted(report.files) == sorted(p.name for p in tmp_path.iterdir())


def csv(rows: list[tuple[float, float, str]]) -> bytes:
    lines = ["age,balance,segment", *(f"{a:.3f},{b:.2f},{s}" for a, b, s in rows)]
    return ("\n".join(lines) + "\n").encode()


def sample_rows(seed: int, shift: float, segments: list[str]) -> list[tuple[float, float, str]]:
    """400 rows: `age` shifted by `shift` standard deviations, `balance` alike in both,
    `segment` drawn from `segments`."""
    rng = np.random.default_rng(seed)
    ages = rng.normal(40 + 12 * shift, 12, 400)
    balances = rng.lognormal(8, 1, 400)
    picks = rng.choice(segments, 400)
    return [(float(a), float(b), str(s)) for a, b, s in zip(ages, balances, picks, strict=True)]


def test_comparison_matches_golden(tmp_path: Path) -> None:
    baseline, current = tmp_path / "base.csv", tmp_path / "today.csv"
    baseline.write_bytes(csv(sample_rows(1, 0.0, ["retail", "sme", "corporate"])))
    current.write_bytes(csv(sample_rows(2, 0.8, ["retail", "sme", "sme"])))
    opened = [open_input(str(path), lambda: None) for path in (baseline, current)]
    payload = render_comparison(compare_data(*opened), "base.csv", "today.csv")
    assert slack_problems([payload]) == []
    GOLDENS.check("comparison", payload)


def test_no_orphan_golden_files() -> None:
    cases = ["comparison", *("report-" + f.removesuffix(".json") for f in REPORT_SAMPLES)]
    cases += ["real-" + folder for folder in REAL_FOLDERS]
    assert GOLDENS.orphans(cases) == []
