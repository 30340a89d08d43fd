"""Third-party warnings during ingest go to the log, never the terminal (issue 14, item 10)."""

from __future__ import annotations

import logging
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from quotedb.ingest.pipeline import warnings_logged

pytest.importorskip("trafilatura", reason="HTML input needs the 'html' extra")

#: A saved page whose published time names a zone dateutil does not know
#: ("10:32 PKT"): extracting its date makes dateutil warn UnknownTimezoneWarning.
PAGE = Path(__file__).resolve().parent / "data" / "suffixed_page.html"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_html_ingest_prints_no_third_party_warning(tmp_path: Path, workers: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "quotedb", "--db", str(tmp_path / "q.db"), "ingest",
         "--workers", workers, str(PAGE)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ("articles: 1 new, 0 unchanged, 0 updated, 0 failed; "
                           "stored 2 quotes, 0 fragments; speakers: 1 new\n")


def test_a_warning_is_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    from dateutil.parser import parse

    with caplog.at_level(logging.DEBUG, logger="quotedb"), warnings_logged():
        parse("2001-11-20 10:32 PKT")
    [record] = [r for r in caplog.records if "UnknownTimezoneWarning" in r.getMessage()]
    assert record.levelno == logging.DEBUG and record.name.startswith("quotedb.")


def test_warnings_are_shown_again_after_ingest() -> None:
    with warnings_logged():
        pass
    with pytest.warns(UserWarning, match="still shown"):
        warnings.warn("still shown", UserWarning, stacklevel=1)
