"""Dates as fields state them (``parse_date``) and as text writes them (``find_date``)."""

from __future__ import annotations

from datetime import date

import pytest

from quotedb.dates import find_date, parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-08-10", date(2021, 8, 10)),
        ("2021-08-10T12:00:00Z", date(2021, 8, 10)),
        ("2021-08-10T23:30:00-05:00", date(2021, 8, 10)),
        ("2021-08-10 12:00", date(2021, 8, 10)),
        ("2021/08/10", date(2021, 8, 10)),
        ("10 August 2021", date(2021, 8, 10)),
        ("Aug 10, 2021", date(2021, 8, 10)),
        ("Tuesday, August 10, 2021", date(2021, 8, 10)),
        ("Tue, 10 Aug 2021 12:00:00 +0000", date(2021, 8, 10)),
        # Written as article text writes dates: the same reader as find_date's.
        ("Sept. 9, 2021", date(2021, 9, 9)),
        ("Thursday, 9th Sept 2021", date(2021, 9, 9)),
        ("10.08.2021", date(2021, 8, 10)),
        ("20210810", date(2021, 8, 10)),
        ("Published August 10, 2021 in the Times", None),
        ("February 30, 2021", None),
        (1628596800, date(2021, 8, 10)),
        ("03/04/2021", None),
        ("yesterday", None),
        ("", None),
        (True, None),
        (None, None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


def test_both_readers_agree_on_a_date_written_out() -> None:
    line = "Sept. 9, 2021"
    found = find_date(line)
    assert found is not None and found[0] == parse_date(line)
