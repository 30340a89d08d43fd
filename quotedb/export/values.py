"""What a database value is in an export: JSON's types, or the text of a cell.

One conversion for every format, so a date, a NaN or an interval reads the
same in CSV, JSON, JSON Lines and the table.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

#: Types JSON holds as they are (the usual cells, checked first).
_JSON_NATIVE = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """A value as JSON can hold it, whatever a database returns.

    Dates and times are ISO strings, intervals ISO 8601 durations, bytes hex,
    UUIDs and anything else unknown their text. NaN and the infinities,
    which JSON has no numbers for, are the strings "NaN", "Infinity" and
    "-Infinity", as PostgreSQL's own ``to_json`` writes them: valid JSON
    that still tells them from NULL. Arrays and JSON values are converted
    inside too.

    >>> jsonable(float("-inf")), jsonable(Decimal("NaN")), jsonable(timedelta(days=1, hours=2))
    ('-Infinity', 'NaN', 'P1DT2H')
    >>> jsonable(Decimal("1E+400")), jsonable(Decimal("2.5"))
    ('1E+400', 2.5)
    """
    if type(value) in _JSON_NATIVE:
        return value
    if isinstance(value, Decimal) and value.is_finite():
        number = float(value)
        # A finite numeric too large for a float keeps its digits, as text.
        return number if math.isfinite(number) else str(value)
    if isinstance(value, (float, Decimal)):
        number = float("nan") if isinstance(value, Decimal) and value.is_nan() else float(value)
        if math.isfinite(number):
            return number
        return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _iso_duration(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return str(value)


def _iso_duration(value: timedelta) -> str:
    """An interval as an ISO 8601 duration ("P1DT2H30M", "-PT0.5S").

    >>> _iso_duration(timedelta(0)), _iso_duration(-timedelta(seconds=90.5))
    ('PT0S', '-PT1M30.5S')
    """
    sign, value = ("-", -value) if value < timedelta(0) else ("", value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    second = f"{seconds}.{value.microseconds:06d}".rstrip("0").rstrip(".")
    time_part = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    if second != "0" or not (time_part or value.days):
        time_part += f"{second}S"
    days = f"{value.days}D" if value.days else ""
    return f"{sign}P{days}{'T' + time_part if time_part else ''}"


def text(value: Any) -> str:
    """A value as plain text (NULL as the empty string)."""
    if value is None:
        return ""
    return str(jsonable(value))


__all__ = ["jsonable", "text"]
