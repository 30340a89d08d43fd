"""Making stored text safe to print on a terminal.

Articles come from anywhere, and their text may hold terminal control
sequences (``ESC [31m`` colours, ``ESC ]0;title BEL`` window titles, the C1
``CSI``) that a terminal would obey rather than show: recolouring, retitling,
clearing the screen or worse. What quotedb prints for people to read (tables,
``show``, ``stats``) goes through ``visible``; exports keep the data as it is.
"""

from __future__ import annotations

import regex

#: C0 controls, DEL and C1 controls: what a terminal may act on.
_CONTROLS = regex.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape(match: regex.Match[str]) -> str:
    return f"\\x{ord(match[0]):02x}"


def visible(text: str, keep: str = "") -> str:
    r"""``text`` with every control character shown as a ``\xNN`` escape.

    Args:
        keep: control characters to leave as they are (``show`` keeps its
            line breaks).

    >>> visible("\x1b[31mred\x1b[0m \x9b2J")
    '\\x1b[31mred\\x1b[0m \\x9b2J'
    >>> visible("two\nlines", keep="\n")
    'two\nlines'
    """
    if keep:
        return _CONTROLS.sub(lambda m: m[0] if m[0] in keep else _escape(m), text)
    return _CONTROLS.sub(_escape, text)


__all__ = ["visible"]
