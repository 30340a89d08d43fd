"""A non-editable ``pip install .`` can migrate and ingest from any directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, SEEDS


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """quotedb built and installed (not editable) into a folder of its own."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to copy the checkout")
    work = tmp_path_factory.mktemp("install")
    source = work / "src"
    # Copy the tree without build leftovers, so the install sees only the repo.
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", "*.db*", ".pytest_cache"))
    target = work / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
         str(target), str(source)],
        check=True, capture_output=True, text=True,
    )
    shutil.rmtree(source)  # nothing may be read from the source tree afterwards
    return target


def run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("QUOTEDB_URL", None)
    return subprocess.run([sys.executable, "-m", "quotedb", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_installed_package_migrates_from_another_directory(
    installed: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = subprocess.run(
        [sys.executable, "-c", "import quotedb.db as d; print(d.script_location())"],
        cwd=elsewhere, env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True, text=True, check=True,
    )
    assert probe.stdout.strip().startswith(str(installed)), probe.stdout

    upgrade = run(installed, elsewhere, "--db", "q.db", "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    current = run(installed, elsewhere, "--db", "q.db", "db", "current")
    assert current.stdout.strip().endswith("(head)")

    ingest = run(installed, elsewhere, "--db", "q.db", "ingest", str(SEEDS))
    assert ingest.returncode == 0, ingest.stderr
    assert "5 new" in ingest.stderr


def test_installed_package_ships_the_browse_templates(installed: Path) -> None:
    assert (installed / "quotedb" / "browse_templates" / "row.html").is_file()
