"""``quotedb ingest`` on real files: dedupe, updates, bad input, summaries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quotedb import db, models
from quotedb.ingest.store import _in_transaction

from .conftest import Quotedb


def counts(url: str) -> dict[str, int]:
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            return {
                table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
                for table in (models.Article, models.Quote, models.Speaker, models.SpeakerAlias)
            }
    finally:
        engine.dispose()


def test_ingest_seeds_stores_attributed_quotes(quotedb: Quotedb, seeds_dir: Path) -> None:
    result = quotedb("ingest", str(seeds_dir))
    assert result.exit_code == 0, result.output
    assert "articles: 5 new, 0 unchanged, 0 updated, 0 failed" in result.stderr
    rows = json.loads(quotedb("quotes", "--format", "json").stdout)
    attributed = [row for row in rows if row["speaker"]]
    assert len(attributed) >= 30
    assert counts(quotedb.url)["articles"] == 5


def test_every_stored_quote_is_its_span_of_the_article(quotedb: Quotedb, seeds_dir: Path) -> None:
    quotedb("ingest", str(seeds_dir))
    engine = db.make_engine(quotedb.url)
    try:
        with Session(engine) as session:
            stored = session.scalars(select(models.Quote)).all()
            assert stored
            for quote in stored:
                assert quote.article.text[quote.start:quote.end] == quote.text
    finally:
        engine.dispose()


def test_reingest_is_a_no_op(quotedb: Quotedb, seeds_dir: Path) -> None:
    quotedb("ingest", str(seeds_dir))
    before = counts(quotedb.url)
    export_before = quotedb("export", "--format", "jsonl").stdout
    result = quotedb("ingest", str(seeds_dir))
    assert result.exit_code == 0
    assert ("articles: 0 new, 5 unchanged, 0 updated, 0 failed; stored 0 quotes, 0 fragments"
            in result.stderr)
    assert counts(quotedb.url) == before
    assert quotedb("export", "--format", "jsonl").stdout == export_before


def test_changed_content_replaces_the_articles_quotes(quotedb: Quotedb, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text('"We will win," said Jane Doe, the mayor.\n', encoding="utf-8")
    assert quotedb("ingest", str(article)).exit_code == 0
    article.write_text('"We have lost," said Jane Doe, the mayor.\n', encoding="utf-8")
    result = quotedb("ingest", str(article))
    assert result.exit_code == 0
    assert "0 new, 0 unchanged, 1 updated" in result.stderr
    rows = json.loads(quotedb("quotes", "--format", "json").stdout)
    assert [(row["quote"], row["speaker"]) for row in rows] == [("We have lost,", "Jane Doe")]
    assert counts(quotedb.url)["articles"] == 1


def test_undecodable_file_is_reported_and_others_ingest(quotedb: Quotedb, seeds_dir: Path) -> None:
    (seeds_dir / "zz_bad.txt").write_bytes(b"caf\xe9 \xff\xfe broken")
    result = quotedb("ingest", str(seeds_dir))
    assert result.exit_code == 1
    assert "zz_bad.txt: not valid UTF-8" in result.stderr
    assert "5 new, 0 unchanged, 0 updated, 1 failed" in result.stderr
    assert counts(quotedb.url)["articles"] == 5
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("bin.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "binary file", id="binary"),
        pytest.param("empty.txt", b"", "empty article", id="empty"),
        pytest.param("blank.txt", b" \n\t\n", "empty article", id="whitespace-only"),
    ],
)
def test_bad_files_get_one_line_errors(
    quotedb: Quotedb, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = quotedb("ingest", str(path))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {path}: {message}" + errors[0].split(message, 1)[1]]


def test_missing_path_is_reported(quotedb: Quotedb, tmp_path: Path) -> None:
    result = quotedb("ingest", str(tmp_path / "nope.txt"))
    assert result.exit_code == 1
    assert f"error: {tmp_path / 'nope.txt'}: no such file or folder" in result.stderr


def test_stdin_article(quotedb: Quotedb) -> None:
    text = '“We are ready,” said Maria Lopez, the coach.\n'
    result = quotedb("ingest", "-", input=text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    again = quotedb("ingest", "-", input=text.encode("utf-8"))
    assert "0 new, 1 unchanged" in again.stderr
    rows = json.loads(quotedb("quotes", "--format", "json").stdout)
    assert rows[0]["speaker"] == "Maria Lopez"
    assert rows[0]["article_source"].startswith("stdin:")


def test_glob_picks_files_in_folders(quotedb: Quotedb, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text('"Yes," said Ann Lee.', encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text('"No," said Bob Ray.', encoding="utf-8")
    result = quotedb("ingest", str(tmp_path), "--glob", "*.md")
    assert result.exit_code == 0, result.output
    assert "1 new" in result.stderr


def test_same_text_under_another_name_is_unchanged(quotedb: Quotedb, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text('"Yes," said Ann Lee.\n', encoding="utf-8")
    (tmp_path / "b.txt").write_text('"Yes," said Ann Lee.\r\n', encoding="utf-8")
    result = quotedb("ingest", str(tmp_path))
    assert "1 new, 1 unchanged" in result.stderr


def test_speakers_are_shared_across_articles(quotedb: Quotedb, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text('"Yes," said Ann Lee, the mayor.', encoding="utf-8")
    (tmp_path / "b.txt").write_text('Ann Lee spoke. "No," Ms Lee said.', encoding="utf-8")
    quotedb("ingest", str(tmp_path))
    rows = json.loads(quotedb("speakers", "--format", "json").stdout)
    assert [(r["name"], r["quotes"], r["articles"]) for r in rows] == [("Ann Lee", 2, 2)]


def test_batched_writes_store_what_one_by_one_writes(db_url: str, tmp_path: Path,
                                                     seeds_dir: Path) -> None:
    """A folder in one run (batched statements) = the same files ingested one at a time.

    The first run takes the batch path (all new); the second holds an
    update and a copy, which send its batch article by article.
    """
    from bench.corpus import write_corpus

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 40, seed=7)
    for seed in seeds_dir.glob("*.txt"):
        (corpus / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    batched = Quotedb(db_url)
    one_by_one = Quotedb(f"sqlite:///{tmp_path / 'single.db'}")

    def same_database() -> None:
        export = ("export", "--format", "jsonl", "--fragments")
        assert batched(*export).stdout == one_by_one(*export).stdout

        def speakers(cli: Quotedb) -> list[dict[str, object]]:
            # Ids differ (a batch creates its new speakers in name order).
            rows = json.loads(cli("speakers", "--format", "json").stdout)
            return [{k: v for k, v in row.items() if k != "speaker_id"} for row in rows]

        assert speakers(batched) == speakers(one_by_one)
        aliases = ("SELECT s.name, a.alias FROM speaker_aliases a "
                   "JOIN speakers s ON s.id = a.speaker_id")
        assert (sorted(json.loads(batched("sql", aliases, "--format", "json").stdout), key=str)
                == sorted(json.loads(one_by_one("sql", aliases, "--format", "json").stdout),
                          key=str))

    def ingest_both() -> str:
        summary = batched("ingest", "--workers", "1", str(corpus)).stderr
        new_speakers = 0
        for name in sorted(str(path) for path in corpus.glob("*.txt")):
            result = one_by_one("ingest", name)
            assert result.exit_code == 0, result.output
            new_speakers += int(result.stderr.split("speakers: ")[1].split()[0])
        assert f"speakers: {new_speakers} new" in summary
        return summary

    assert "articles: 45 new, 0 unchanged" in ingest_both()
    same_database()

    first, second = sorted(corpus.glob("article_*.txt"))[:2]
    (corpus / "zz-copy.txt").write_text(second.read_text(encoding="utf-8"), encoding="utf-8")
    first.write_text('"We changed it," said Ann Lee, the mayor.\n', encoding="utf-8")
    assert "articles: 0 new, 45 unchanged, 1 updated" in ingest_both()
    same_database()


def test_a_failed_commit_leaves_the_kept_writer_connection_usable(sqlite_url: str) -> None:
    # A deferred foreign key fails at COMMIT, and SQLite then keeps the
    # transaction open: the kept connection must not hold it (and the lock).
    engine = db.make_engine(sqlite_url)
    db.check_schema(engine)
    insert_orphan = (
        "INSERT INTO quotes (article_id, text, start, \"end\", paragraph, fragment) "
        "VALUES (999, 'x', 0, 1, 0, 0)"
    )

    def orphan(connection: Connection) -> None:
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        connection.exec_driver_sql(insert_orphan)

    try:
        with db.writer(engine).connect() as connection:
            with pytest.raises(IntegrityError):
                _in_transaction(connection, orphan)
            assert not connection.connection.dbapi_connection.in_transaction  # type: ignore[union-attr]
            _in_transaction(connection, lambda c: c.exec_driver_sql(
                "INSERT INTO speakers (name, key) VALUES ('A B', 'a b')"))
        with db.writer(engine).begin() as other:  # the write lock was let go
            other.exec_driver_sql("INSERT INTO speakers (name, key) VALUES ('C D', 'c d')")
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(models.Quote)) == 0
            assert session.scalar(select(func.count()).select_from(models.Speaker)) == 2
    finally:
        engine.dispose()
