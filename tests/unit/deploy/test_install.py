"""Reproducible installs: every dependency bounded below its next major version, the lock
files pin each one inside its bounds with hashes, and the Makefile and the image install
from them; the image is pinned by digest and runs as a numeric user; LICENSE is there."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO

LOCKS = {"runtime": (), "demo": ("demo",), "dev": ("demo", "dev")}
_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^ ;\\]+)")


@cache
def project() -> dict[str, Any]:
    return dict(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"])


def requirements(extras: tuple[str, ...]) -> list[Requirement]:
    wanted = [Requirement(text) for text in project()["dependencies"]]
    for extra in extras:
        wanted += [Requirement(text) for text in project()["optional-dependencies"][extra]]
    return [requirement for requirement in wanted if requirement.name != "mlpulse"]


def pins(lock: str) -> dict[str, list[str]]:
    """name -> the versions the lock file pins it to (one per Python version range, as
    numpy drops old Pythons: the lock is universal)."""
    text = (REPO / "requirements" / f"{lock}.lock").read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if match := _PIN.match(line):
            found.setdefault(canonicalize_name(match[1]), []).append(match[2])
    return found


def test_every_dependency_has_an_upper_bound_below_its_next_major_version() -> None:
    everything = requirements(("demo", "dev"))
    assert len(everything) >= 20
    for requirement in everything:
        uppers = [spec for spec in requirement.specifier if spec.operator == "<"]
        assert uppers, f"{requirement} has no upper bound"


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_each_lock_pins_every_requirement_inside_its_bounds(lock: str) -> None:
    """Fails when pyproject.toml changed without `make lock`."""
    pinned = pins(lock)
    for requirement in requirements(LOCKS[lock]):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement} is not in requirements/{lock}.lock: make lock"
        for version in pinned[name]:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"requirements/{lock}.lock pins {name}=={version} outside {requirement}"
            )
    assert "setuptools" in pinned  # the build backend: `pip install --no-build-isolation`


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_each_pin_carries_its_hashes(lock: str) -> None:
    text = (REPO / "requirements" / f"{lock}.lock").read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text.split("\n", 2)[2])
    assert len(entries) == sum(len(versions) for versions in pins(lock).values())
    for entry in entries:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


def test_the_demo_installs_no_dev_tool() -> None:
    demo = set(pins("demo"))
    assert {"moto", "flask", "numpy", "slack-bolt"} <= demo
    assert not {"pytest", "ruff", "mypy", "cfn-lint", "import-linter", "docker"} & demo
    assert set(pins("runtime")) < demo < set(pins("dev"))


def test_make_installs_from_the_locks_with_hashes_and_the_project_without_dependencies() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "install --require-hashes -r requirements/$*.lock" in makefile
    assert "install --no-deps --no-build-isolation -e ." in makefile
    assert re.search(r"^demo: \$\(VENV\)/\.demo-installed$", makefile, re.M)
    assert re.search(r"^(lint|unit): \$\(VENV\)/\.dev-installed$", makefile, re.M)
    assert re.search(r"^lock: ", makefile, re.M)
    assert (REPO / ".ci" / "run").read_text(encoding="utf-8").rstrip().endswith("make test")


def test_the_image_is_pinned_installs_from_the_lock_and_runs_as_a_numeric_user() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    (base,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, re.M)
    assert re.fullmatch(r"python:3\.11-slim@sha256:[0-9a-f]{64}", base)
    assert re.findall(r"^FROM (\S+)", dockerfile, re.M) == ["${PYTHON_IMAGE}"] * 2
    assert "--require-hashes -r requirements/runtime.lock" in dockerfile
    assert "install --no-deps --no-build-isolation ." in dockerfile
    (user,) = re.findall(r"^USER (\S+)$", dockerfile, re.M)
    assert re.fullmatch(r"\d+:\d+", user) and not user.startswith("0:")
    assert "--uid 10001" in dockerfile
    (healthcheck,) = re.findall(r"^HEALTHCHECK .*\n.*$", dockerfile, re.M)
    assert "/healthz" in healthcheck and "/readyz" not in healthcheck


def test_license_is_the_apache_2_0_text_pyproject_declares() -> None:
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert project()["license"] == "Apache-2.0"
    assert project()["license-files"] == ["LICENSE"]
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text.splitlines()) == 202
