"""Exporting quotes, and writing rows in the formats the CLI prints."""

from __future__ import annotations

from .rows import EXPORT_FORMATS, FORMATS, jsonable, write_rows

__all__ = ["EXPORT_FORMATS", "FORMATS", "jsonable", "write_rows"]
