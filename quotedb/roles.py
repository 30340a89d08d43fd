"""PostgreSQL roles for a user's SQL: refuse powerful roles, make read-only ones.

No text filter can make a superuser connection safe: a superuser's SELECT can
kill backends (``pg_terminate_backend``), read and write server files
(``pg_read_file``, ``lo_export``) and a COPY can run shell commands. So
``quotedb sql`` on PostgreSQL runs only as a role the *server* keeps in
bounds: ``check_reader`` refuses a session that is, or can become, a
superuser or a member of a role that reaches outside the database, and
``create_reader`` makes the role to use instead: it can log in and SELECT
quotedb's tables, nothing more.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from .errors import DatabaseError, UnsafeRole

#: Predefined roles whose members can act outside the database
#: (https://www.postgresql.org/docs/15/predefined-roles.html).
DANGEROUS_ROLES = (
    "pg_execute_server_program",
    "pg_write_server_files",
    "pg_read_server_files",
    "pg_signal_backend",
)

#: Environment variable and option naming the read-only URL for ``quotedb sql``.
READ_URL_ENV = "QUOTEDB_READ_URL"

def reader_tables() -> tuple[str, ...]:
    """Tables a reader may SELECT: quotedb's own (from the models, so a new
    table is never forgotten) and the schema revision, which ``quotedb sql``
    reads to check it talks to a database at the right head."""
    from .models import Base

    return (*sorted(Base.metadata.tables), "alembic_version")

#: Server-side defaults for a reader's sessions: read-only transactions and a
#: time limit even when the role is used outside quotedb (psql, Metabase…).
READER_SETTINGS = {"default_transaction_read_only": "on", "statement_timeout": "60s"}

# pg_has_role(..., 'MEMBER') follows every path of membership, inherited or
# not, and counts a role as a member of itself. By default the role asked
# about is session_user, not current_user: a role that can SET ROLE to a
# powerful role is as powerful as that role.
_POWERS = text(
    """
    SELECT r.rolname, r.rolsuper
    FROM pg_roles AS r
    WHERE (r.rolsuper OR r.rolname = ANY(:dangerous))
      AND pg_has_role(coalesce(CAST(:role AS name), session_user), r.oid, 'MEMBER')
    ORDER BY r.rolsuper DESC, r.rolname
    """
)


def _powerful_roles(connection: Connection, role: str | None = None) -> list[tuple[str, bool]]:
    """(name, is superuser) of each superuser or dangerous role ``role`` is or can become.

    ``role`` defaults to the session's login role.
    """
    rows = connection.execute(_POWERS, {"dangerous": list(DANGEROUS_ROLES), "role": role})
    return [(str(name), bool(is_super)) for name, is_super in rows]


def unsafe_powers(connection: Connection) -> list[str]:
    """What the session's login role can do beyond reading, as role names.

    Empty for a role fit for ``quotedb sql``; ``superuser`` (via itself or a
    role it can become) and the dangerous predefined roles it belongs to
    otherwise.
    """
    rows = _powerful_roles(connection)
    if any(is_super for _name, is_super in rows):
        return ["a superuser"]  # which holds every other power too
    return [f"a member of {name}" for name, _super in rows]


def check_reader(connection: Connection) -> None:
    """Refuse a PostgreSQL session whose role could harm the server.

    Raises:
        UnsafeRole: the role is a superuser or holds a dangerous predefined role.
    """
    powers = unsafe_powers(connection)
    if powers:
        user = connection.execute(text("SELECT session_user")).scalar_one()
        raise UnsafeRole(
            f"refused: role {user!r} is {' and '.join(powers)}, which a query could use "
            "to reach the server itself; run the query as a read-only role, which "
            "`quotedb db create-reader NAME` makes"
        )


def _identifier(connection: Connection, name: str) -> str:
    """``name`` quoted as an SQL identifier by the server itself."""
    return str(connection.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar_one())


def _literal(connection: Connection, value: str) -> str:
    """``value`` quoted as an SQL string literal by the server itself."""
    return str(connection.execute(text("SELECT quote_literal(:v)"), {"v": value}).scalar_one())


def create_reader(engine: Engine, name: str, password: str | None = None) -> str:
    """Create (or update) login role ``name`` that can only SELECT quotedb's tables.

    Role and password go through the server's own quoting (``CREATE ROLE``
    takes no bound parameters). An existing role gets the new password and
    loses every other privilege on quotedb's tables; a role that is a
    superuser or holds a dangerous predefined role is refused rather than
    changed, since it would stay unsafe.

    Returns:
        The URL to use for ``quotedb sql`` (``--read-url``), password included.

    Raises:
        DatabaseError: not PostgreSQL, a bad name, or the role cannot be made.
    """
    if engine.dialect.name != "postgresql":
        raise DatabaseError("create-reader is for PostgreSQL; SQLite's `quotedb sql` opens "
                            "the file read-only already")
    if not name or len(name) > 63 or "\x00" in name:
        raise DatabaseError(f"bad role name {name!r}: 1 to 63 characters, no NUL")
    password = password or secrets.token_urlsafe(18)
    with engine.begin() as connection:
        role = _identifier(connection, name)
        secret = _literal(connection, password)
        exists = connection.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}
        ).first()
        _make_role(connection, name, role, secret, exists is not None)
        database = _identifier(connection, connection.execute(
            text("SELECT current_database()")).scalar_one())
        connection.execute(text(f"GRANT CONNECT ON DATABASE {database} TO {role}"))
        connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        for table in _existing(connection, reader_tables()):
            connection.execute(text(f"REVOKE ALL ON TABLE {table} FROM {role}"))
            connection.execute(text(f"GRANT SELECT ON TABLE {table} TO {role}"))
        for setting, value in READER_SETTINGS.items():
            quoted = _literal(connection, value)
            connection.execute(text(f"ALTER ROLE {role} SET {setting} = {quoted}"))
    url = make_url(engine.url.render_as_string(hide_password=False))
    return url.set(username=name, password=password).render_as_string(hide_password=False)


#: What makes an existing role unfit to become a reader: it is the role we
#: are connected as, owns something here (then it can grant and drop, and
#: taking its writes away would break whatever uses it), can create roles or
#: databases, or belongs to another role whose privileges it inherits.
_NOT_A_READER = text(
    """
    SELECT concat_ws(', ',
        CASE WHEN r.rolname = current_user THEN 'the role this command runs as' END,
        CASE WHEN r.rolcreaterole OR r.rolcreatedb THEN 'able to create roles or databases'
        END,
        CASE WHEN EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid)
               OR EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspowner = r.oid)
               OR EXISTS (SELECT 1 FROM pg_database d
                          WHERE d.datname = current_database() AND d.datdba = r.oid)
             THEN 'an owner of objects in this database' END,
        CASE WHEN EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid)
             THEN 'a member of other roles' END)
    FROM pg_roles r WHERE r.rolname = :n
    """
)


def _make_role(connection: Connection, name: str, role: str, secret: str, exists: bool) -> None:
    """CREATE or ALTER the login role; refuse to change a role that is more than a reader."""
    attributes = (f"LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
                  f"PASSWORD {secret}")
    if not exists:
        connection.execute(text(f"CREATE ROLE {role} {attributes}"))
        return
    # A superuser NAME is refused too (demoting the administrator's own role
    # would lock them out).
    held = [role_name for role_name, _super in _powerful_roles(connection, name)]
    if held:
        raise DatabaseError(f"role {name!r} is or can become {', '.join(held)}; "
                            "choose another name for a read-only role")
    unfit = connection.execute(_NOT_A_READER, {"n": name}).scalar_one()
    if unfit:
        raise DatabaseError(f"role {name!r} is {unfit}; choose a new name for a read-only role")
    connection.execute(text(f"ALTER ROLE {role} {attributes}"))


def _existing(connection: Connection, tables: tuple[str, ...]) -> list[str]:
    """The tables of ``tables`` present in the current schema, quoted."""
    found = connection.execute(
        text("SELECT quote_ident(tablename) FROM pg_tables "
             "WHERE schemaname = current_schema() AND tablename = ANY(:t) ORDER BY tablename"),
        {"t": list(tables)},
    ).scalars().all()
    return [str(name) for name in found]
