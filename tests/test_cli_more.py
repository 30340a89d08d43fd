"""The CLI over every input format, stdin streams, stats, eval and parquet export."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from .conftest import REPO, Quotedb

DATA = Path(__file__).resolve().parent / "data"


def quotes_of(quotedb: Quotedb) -> list[dict[str, object]]:
    return json.loads(quotedb("quotes", "--format", "json").stdout)


def test_jsonl_corpus_with_a_broken_record(quotedb: Quotedb) -> None:
    result = quotedb("ingest", str(DATA / "corpus.jsonl"))
    assert result.exit_code == 1
    assert "5 new, 0 unchanged, 0 updated, 1 failed" in result.stderr
    assert f"error: {DATA / 'corpus.jsonl'}: line 3: not valid JSON" in result.stderr
    rows = quotes_of(quotedb)
    assert any(row["speaker"] == "Donald Rumsfeld" for row in rows)
    assert all(str(row["article_source"]).startswith(str(DATA / "corpus.jsonl#")) for row in rows)


def test_csv_corpus_with_a_broken_record(quotedb: Quotedb) -> None:
    result = quotedb("ingest", str(DATA / "corpus.csv"))
    assert result.exit_code == 1
    assert "1 failed" in result.stderr and "record 4" in result.stderr
    articles = json.loads(quotedb("articles", "--format", "json").stdout)
    assert len(articles) == 5


def test_html_page_via_cli(quotedb: Quotedb) -> None:
    pytest.importorskip("trafilatura")
    result = quotedb("ingest", str(DATA / "article_page.html"))
    assert result.exit_code == 0, result.output
    rows = quotes_of(quotedb)
    assert {row["speaker"] for row in rows} >= {"Donald Rumsfeld", "Mohammad Dawood Khan"}
    assert not any("cookie" in str(row["quote"]).lower() for row in rows)


def test_stdin_jsonl_stream(quotedb: Quotedb) -> None:
    records = [
        {"id": "a1", "title": "Bridge", "text": "“We will rebuild,” said Maria Lopez, the mayor."},
        {"id": "a2", "title": "School", "text": "“Classes resume Monday,” said Tom Reyes."},
    ]
    stream = "\n".join(json.dumps(r) for r in records) + "\n"
    result = quotedb("ingest", "-", "--input-format", "jsonl", input=stream)
    assert result.exit_code == 0, result.output
    assert "2 new" in result.stderr
    assert [row["speaker"] for row in quotes_of(quotedb)] == ["Maria Lopez", "Tom Reyes"]


def test_custom_fields(quotedb: Quotedb, tmp_path: Path) -> None:
    path = tmp_path / "scrape.jsonl"
    path.write_text(json.dumps({"key": "x9", "story": "“Yes,” said Ann Lee.", "head": "H"}) + "\n",
                    encoding="utf-8")
    result = quotedb("ingest", str(path), "--text-field", "story", "--title-field", "head",
                     "--id-field", "key")
    assert result.exit_code == 0, result.output
    [article] = json.loads(quotedb("articles", "--format", "json").stdout)
    assert (article["source"], article["title"]) == (f"{path}#x9", "H")


def test_stats_summary(quotedb: Quotedb, seeds_dir: Path) -> None:
    quotedb("ingest", str(seeds_dir))
    figures = json.loads(quotedb("stats", "--format", "json").stdout)
    assert figures["articles"] == 5
    assert figures["quotes"] == len(quotes_of(quotedb))
    speakers = json.loads(quotedb("speakers", "--format", "json").stdout)
    top = figures["top_speakers"][0]
    assert top["quotes"] == max(row["quotes"] for row in speakers) >= 5
    assert "articles" in quotedb("stats").stdout


def test_eval_reaches_targets_on_seeds(tmp_path: Path) -> None:
    result = Quotedb(str(tmp_path / "unused.db"))(
        "eval", str(REPO / "seeds" / "gold.jsonl"), str(REPO / "seeds"), "--format", "json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["quote_f1"] >= 0.97
    assert figures["speaker_accuracy"] >= 0.95


def test_eval_errors_lists_misses(tmp_path: Path) -> None:
    folder = tmp_path / "gold"
    folder.mkdir()
    shutil.copy(REPO / "seeds" / "001_54d4a149575281bf.txt", folder / "a.txt")
    gold = folder / "gold.jsonl"
    gold.write_text(json.dumps({"article": "a.txt", "quotes": [
        {"text": "A quote that is not in the article at all", "speaker": "Nobody",
         "aliases": [], "optional": False, "start": 0},
    ]}) + "\n", encoding="utf-8")
    result = Quotedb(str(tmp_path / "unused.db"))("eval", str(gold), "--errors",
                                                 "--format", "json")
    report = json.loads(result.stdout)
    assert report["quote_recall"] == 0.0
    kinds = {error["kind"] for error in report["errors"]}
    assert kinds == {"missed", "spurious"}


def test_eval_bad_gold_file_is_one_line(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("{not json\n", encoding="utf-8")
    result = Quotedb(str(tmp_path / "unused.db"))("eval", str(gold))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(gold) in result.stderr


def test_parquet_export(quotedb: Quotedb, seeds_dir: Path, tmp_path: Path) -> None:
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    quotedb("ingest", str(seeds_dir))
    out = tmp_path / "q.parquet"
    result = quotedb("export", "--format", "parquet", "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pyarrow_parquet.read_table(out)
    assert table.column_names[:3] == ["quote_id", "article_id", "article_source"]
    assert table.num_rows == len(quotes_of(quotedb))


def test_parquet_needs_an_output_file(quotedb: Quotedb) -> None:
    result = quotedb("export", "--format", "parquet")
    assert result.exit_code == 2
    assert "-o FILE" in result.stderr


def test_one_failing_article_does_not_cost_its_batch(tmp_path: Path) -> None:
    db_path = tmp_path / "q.db"
    quotedb = Quotedb(str(db_path))
    quotedb("db", "upgrade")
    with sqlite3.connect(db_path) as connection:  # a real database-side failure
        connection.execute(
            "CREATE TRIGGER poison BEFORE INSERT ON articles WHEN new.text LIKE '%poison%' "
            "BEGIN SELECT RAISE(ABORT, 'poisoned article'); END"
        )
    for name in ("a", "b", "c"):
        word = "poison" if name == "b" else "fine"
        (tmp_path / f"{name}.txt").write_text(f"“It is {word} ({name}),” said Ann Lee.\n",
                                              encoding="utf-8")
    result = quotedb("ingest", "--workers", "1", str(tmp_path))
    assert result.exit_code == 1
    assert "2 new, 0 unchanged, 0 updated, 1 failed" in result.stderr
    assert f"error: {tmp_path / 'b.txt'}: database error: poisoned article" in result.stderr
    assert len(quotes_of(quotedb)) == 2
