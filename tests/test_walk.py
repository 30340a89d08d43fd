"""Listing folders: ``walk_sorted`` gives os.walk's sorted order in less memory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quotedb import sources
from quotedb.sources import walk_sorted


def reference(top: Path) -> list[str]:
    """What ``os.walk`` with sorted names yields (symlinked folders not followed)."""
    found = []
    for root, dirs, files in os.walk(top, followlinks=False):
        dirs.sort()
        found.extend(os.path.join(root, name) for name in sorted(files))
    return found


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    top = tmp_path / "corpus"
    for number in (7, 3, 11, 0, 42, 5, 19, 8, 1, 30, 2, 9):
        for folder in ("", "b", "a", "a/deep"):
            path = top / folder / f"article_{number:03d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x", encoding="utf-8")
    (top / "Zed.txt").write_text("capital sorts first", encoding="utf-8")
    (top / "é.txt").write_text("non-ASCII name", encoding="utf-8")
    (top / "dangling.txt").symlink_to(top / "missing.txt")
    (top / "self.txt").symlink_to(top / "self.txt")  # a loop: listed, not fatal
    (top / "a" / "loop").symlink_to(top, target_is_directory=True)
    return top


@pytest.mark.parametrize("block", [1, 4, 4096])
def test_same_order_as_sorted_os_walk(tree: Path, block: int,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Small blocks make the merge of packed blocks do the sorting.
    monkeypatch.setattr(sources, "_NAMES_PER_BLOCK", block)
    listed = list(walk_sorted(str(tree)))
    assert listed == reference(tree)
    assert str(tree / "dangling.txt") in listed
    assert str(tree / "self.txt") in listed
    assert not any("/loop/" in path for path in listed)


def test_missing_folder_lists_nothing(tmp_path: Path) -> None:
    assert list(walk_sorted(str(tmp_path / "nope"))) == []
