"""PostgreSQL writes the export's CSV itself: ``COPY (query) TO STDOUT``.

The server applies ``csvfmt``'s rule natively: ``FORCE_QUOTE`` quotes the
text columns, and NULL is an empty cell; the query only computes each
cell's text first (``csvfmt.cell_sql``: the formula guard, booleans as
words, dates as ISO, the empty string as NULL).
"""

from __future__ import annotations

from typing import TextIO

from sqlalchemy import Connection, Select, String
from sqlalchemy.exc import DBAPIError

from .csvfmt import cell_sql
from .outfile import utf8_writer

#: Bytes of COPY output gathered before each write.
_COPY_FLUSH_BYTES = 1 << 20


def copy_cells(stmt: Select, raw: bool) -> Select:
    """``stmt`` with each column replaced by the text of its CSV cell."""
    return stmt.with_only_columns(*[
        cell_sql(column, "postgresql", raw).label(column.name)
        for column in stmt.selected_columns
    ])


def copy_csv(connection: Connection, stmt: Select, out: TextIO, *, raw: bool) -> int:
    """Write the rows of ``stmt`` to ``out`` as CSV lines (no header); return how many.

    The server's UTF-8 bytes go to ``out`` as they are (``utf8_writer``),
    ~1 MB at a time; COPY sends each row as one message, so a batch never
    ends inside a character.
    """
    compiled = copy_cells(stmt, raw).compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    preparer = connection.dialect.identifier_preparer
    text_columns = ", ".join(preparer.quote_identifier(column.name)
                             for column in stmt.selected_columns
                             if isinstance(column.type, String))
    options = f"FORMAT csv, FORCE_QUOTE ({text_columns})" if text_columns else "FORMAT csv"
    driver = connection.connection.driver_connection
    write = utf8_writer(out)
    pending: list[bytes] = []
    size = 0
    dbapi_error = connection.dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(f"COPY ({compiled}) TO STDOUT ({options})", compiled.params) as copy:
                for chunk in copy:
                    pending.append(chunk)
                    size += len(chunk)
                    if size >= _COPY_FLUSH_BYTES:
                        write(b"".join(pending))
                        pending.clear()
                        size = 0
            write(b"".join(pending))
            return int(cursor.rowcount)
    except dbapi_error as exc:
        # The driver's own error, as SQLAlchemy would have wrapped it (a
        # NUL in a search term is refused here, by psycopg).
        raise DBAPIError.instance(str(compiled), compiled.params, exc, dbapi_error) from exc


__all__ = ["copy_cells", "copy_csv"]
