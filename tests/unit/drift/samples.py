"""Model Monitor report folders made from the published samples in tests/fixtures/aws."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES

# Each Model Monitor / Clarify sample and the file name Model Monitor gives it.
REPORT_SAMPLES = {
    path.name: (
        "constraint_violations.json"
        if "violations" in path.name
        else "statistics.json"
        if "statistics" in path.name
        else "constraints.json"
        if "constraints" in path.name
        else "analysis.json"
    )
    for path in sorted(FIXTURES.glob("*.json"))
    if path.name.startswith(("model-monitor-", "clarify-"))
}


def sample(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return document


def put_sample(folder: Path, fixture: str, as_name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (as_name or REPORT_SAMPLES[fixture])
    shutil.copy(FIXTURES / fixture, target)
    return target


def put_json(folder: Path, name: str, document: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_text(json.dumps(document), encoding="utf-8")
    return target


def violation(feature: str, check: str, description: str) -> dict[str, str]:
    return {"feature_name": feature, "constraint_check_type": check, "description": description}


# Published Model Monitor / Clarify output folders (tests/fixtures/real/SOURCES.md).
REAL_MONITOR = FIXTURES.parent / "real" / "monitor"
REAL_FOLDERS = sorted(p.name for p in REAL_MONITOR.iterdir() if p.is_dir())


def copy_real(folder: str, target: Path) -> Path:
    shutil.copytree(REAL_MONITOR / folder, target, dirs_exist_ok=True)
    return target
