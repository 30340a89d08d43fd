"""Tests for the evaluation library: matching rules on tiny hand-made gold files, and
the figures on the seed corpus."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result

from bench import bench_accuracy
from quotedb.evaluate import (
    EvalError,
    EvalReport,
    GoldFileError,
    GoldQuote,
    GoldSet,
    NoGoldFile,
    evaluate,
    format_error,
    gold_sets,
    normalise_speaker,
    score_article,
    token_f1,
    tokens,
)
from quotedb.records import Quote

from .conftest import Quotedb

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def write_case(tmp_path: Path, article: str, quotes: list[dict]) -> Path:
    """Write one article and a one-line gold file; return the gold path."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "a.txt").write_text(article, encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"article": "a.txt", "quotes": quotes}) + "\n", encoding="utf-8")
    return gold


def q(text: str, speaker: str | None, aliases: list[str] | None = None,
      optional: bool = False, **extra: object) -> dict:
    """A gold quote object; ``extra`` adds keys such as ``kind``."""
    return {"text": text, "speaker": speaker, "aliases": aliases or [], "optional": optional,
            **extra}


ARTICLE = (
    "Amy Lo, a coach, said: “We trained hard all winter and it showed today.”\n"
    "The club called it a “miracle” run.\n"
    "“Nobody expected us to get this far,” said Ben Ode, the captain.\n"
)


def test_perfect_article(tmp_path: Path) -> None:
    gold = write_case(tmp_path, ARTICLE, [
        q("We trained hard all winter and it showed today.", "Amy Lo"),
        q("Nobody expected us to get this far", "Ben Ode"),
    ])
    report = evaluate(gold)
    assert report.as_dict()["quote_f1"] == 1.0
    assert report.speaker_accuracy == 1.0
    assert report.end_to_end_f1 == 1.0
    assert report.errors == []


def test_fragments_are_not_predictions(tmp_path: Path) -> None:
    gold = write_case(tmp_path, ARTICLE, [
        q("We trained hard all winter and it showed today.", "Amy Lo"),
        q("Nobody expected us to get this far", "Ben Ode"),
    ])
    report = evaluate(gold)
    assert report.predicted_quotes == 2  # "miracle" is a fragment


def test_optional_gold_is_neither_required_nor_counted(tmp_path: Path) -> None:
    article = "Amy Lo said the season was a “long, hard and very cold one for all of us”.\n"
    gold = write_case(tmp_path, article, [q("long, hard and very cold one for all of us",
                                            "Amy Lo", optional=True)])
    report = evaluate(gold)
    assert (report.gold_quotes, report.predicted_quotes, report.matched) == (0, 0, 0)
    assert report.quote_f1 == 1.0 and report.errors == []


def test_missed_spurious_and_wrong_speaker(tmp_path: Path) -> None:
    gold = write_case(tmp_path, ARTICLE, [
        q("We trained hard all winter and it showed today.", "Cy Dee"),
        q("A quote that the parser never saw at all", "Ben Ode"),
    ])
    report = evaluate(gold)
    kinds = sorted(e.kind for e in report.errors)
    assert kinds == ["missed", "spurious", "wrong_speaker"]
    assert (report.matched, report.speaker_correct, report.speaker_total) == (1, 0, 1)
    assert report.quote_precision == 0.5 and report.quote_recall == 0.5
    assert report.end_to_end_f1 == 0.0
    wrong = next(e for e in report.errors if e.kind == "wrong_speaker")
    assert wrong == EvalError("a.txt", "wrong_speaker", wrong.text, None, "Cy Dee", "Amy Lo",
                              "before")


def test_speaker_matches_alias_after_normalising(tmp_path: Path) -> None:
    gold = write_case(tmp_path, ARTICLE, [
        q("We trained hard all winter and it showed today.", "Coach Lo", ["amy  LO."]),
        q("Nobody expected us to get this far", "The Ben Ode"),
    ])
    assert evaluate(gold).speaker_accuracy == 1.0


def test_null_gold_speaker_needs_null_prediction(tmp_path: Path) -> None:
    gold = write_case(tmp_path, ARTICLE, [
        q("We trained hard all winter and it showed today.", None),
        q("Nobody expected us to get this far", "Ben Ode"),
    ])
    report = evaluate(gold)
    assert report.speaker_total == 1  # null gold speakers are not in speaker accuracy
    assert report.end_to_end_correct == 1


def test_unresolvable_speaker_is_not_scored(tmp_path: Path) -> None:
    # The parser names Amy Lo and Ben Ode; the gold says nobody could tell (null, or a
    # pronoun), so neither answer is wrong and neither counts in speaker accuracy.
    gold = write_case(tmp_path, ARTICLE, [
        q("We trained hard all winter and it showed today.", None, ["she"],
          speaker_unresolvable=True),
        q("Nobody expected us to get this far", "he", speaker_unresolvable=True),
    ])
    report = evaluate(gold)
    assert (report.matched, report.speaker_total, report.speaker_correct) == (2, 0, 0)
    assert report.end_to_end_correct == 2 and report.end_to_end_f1 == 1.0
    assert report.errors == []


def test_unresolvable_speaker_still_needs_the_quote(tmp_path: Path) -> None:
    gold = write_case(tmp_path, ARTICLE, [
        q("We trained hard all winter and it showed today.", "Amy Lo"),
        q("Nobody expected us to get this far", "Ben Ode"),
        q("A quote that the parser never saw at all", None, speaker_unresolvable=True),
    ])
    report = evaluate(gold)
    assert (report.gold_quotes, report.matched, report.end_to_end_correct) == (3, 2, 2)
    assert [e.kind for e in report.errors] == ["missed"]


def test_speaker_unscored_on_optional_quote_is_harmless(tmp_path: Path) -> None:
    gold = write_case(tmp_path, ARTICLE, [
        q("We trained hard all winter and it showed today.", None, optional=True,
          speaker_unscored=True),
        q("Nobody expected us to get this far", "Ben Ode"),
    ])
    report = evaluate(gold)
    assert (report.gold_quotes, report.predicted_quotes, report.speaker_total) == (1, 1, 1)
    assert report.end_to_end_f1 == 1.0 and report.errors == []


def test_recall_by_kind_counts_required_gold_quotes(tmp_path: Path) -> None:
    gold = write_case(tmp_path, ARTICLE, [
        q("We trained hard all winter and it showed today.", "Amy Lo", kind="direct"),
        q("Nobody expected us to get this far", "Ben Ode", kind="direct"),
        q("A quote that the parser never saw at all", "Ben Ode", kind="direct"),
        q("miracle", None, kind="partial"),
        q("a long partial quote nobody marked", None, optional=True, kind="partial"),
        q("Unlabelled quote the parser never saw", "Ben Ode"),
    ])
    assert evaluate(gold).recall_by_kind() == {
        "direct": {"matched": 2, "total": 3, "recall": 2 / 3},
        "partial": {"matched": 0, "total": 1, "recall": 0.0},
    }


def test_no_kinds_no_recall_by_kind(tmp_path: Path) -> None:
    gold = write_case(tmp_path, ARTICLE, [q("Nobody expected us to get this far", "Ben Ode")])
    assert evaluate(gold).recall_by_kind() == {}


@pytest.mark.parametrize(
    ("gold_text", "matched"),
    [
        # The prediction has 9 tokens; 8 shared + 3 others: F1 = 16 / 20 = 0.8 exactly.
        pytest.param("We trained hard all winter and it showed x y z", 1, id="at-0.8"),
        # 8 shared + 4 others: F1 = 16 / 21 < 0.8.
        pytest.param("We trained hard all winter and it showed w x y z", 0, id="below"),
    ],
)
def test_threshold_is_token_f1_point_eight(tmp_path: Path, gold_text: str, matched: int) -> None:
    gold = write_case(tmp_path, ARTICLE, [q(gold_text, "Amy Lo")])
    assert evaluate(gold).matched == matched


def test_greedy_one_to_one(tmp_path: Path) -> None:
    article = "Al Bo said: “Yes we can do it.”\nCy Do said: “Yes we can do it.”\n"
    gold = write_case(tmp_path, article, [q("Yes we can do it.", "Al Bo")])
    report = evaluate(gold)
    assert (report.matched, report.predicted_quotes) == (1, 2)
    assert [e.kind for e in report.errors] == ["spurious"]


def test_articles_dir_argument(tmp_path: Path) -> None:
    arts = tmp_path / "arts"
    arts.mkdir()
    (arts / "a.txt").write_text(ARTICLE, encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"article": "a.txt", "quotes": []}) + "\n\n", encoding="utf-8")
    assert evaluate(gold, arts).articles == 1


def test_missing_article(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"article": "nope.txt", "quotes": []}) + "\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        evaluate(gold)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param("[1, 2]", id="not-object"),
        pytest.param('{"quotes": []}', id="no-article"),
        pytest.param('{"article": "a.txt"}', id="no-quotes"),
        pytest.param('{"article": "a.txt", "quotes": [{"speaker": "x"}]}', id="no-text"),
        pytest.param('{"article": "a.txt", "quotes": [{"text": "t", "optional": "y"}]}',
                     id="bad-optional"),
        pytest.param('{"article": "a.txt", "quotes": [{"text": "t", "kind": "quip"}]}',
                     id="bad-kind"),
        pytest.param('{"article": "a.txt", "quotes": [{"text": "t", '
                     '"speaker_unresolvable": 1}]}', id="bad-unresolvable"),
        pytest.param('{"article": "a.txt", "quotes": [{"text": "t", '
                     '"speaker_unscored": "yes"}]}', id="bad-unscored"),
    ],
)
def test_malformed_gold_line_names_file_and_line(tmp_path: Path, line: str) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"article": "a.txt", "quotes": []}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(GoldFileError, match=r"gold\.jsonl:2: ") as info:
        evaluate(gold)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)


@dataclass(frozen=True, slots=True)
class RuledQuote(Quote):
    """A parser quote that names the rule which attributed it (the parser's next field)."""

    rule: str | None = None


def test_errors_name_the_rule_that_attributed_the_prediction() -> None:
    report = EvalReport()
    gold = [GoldQuote("Nobody expected us to get this far", "Ben Ode")]
    predicted = [RuledQuote("Nobody expected us to get this far", 0, 34, 0, "Amy Lo",
                            rule="colon-cue"),
                 RuledQuote("A different thing entirely was said", 40, 76, 1, None)]
    score_article(report, "a.txt", gold, predicted)
    assert [(e.kind, e.rule) for e in report.errors] == [
        ("wrong_speaker", "colon-cue"), ("spurious", None)]
    assert format_error("dev", report.errors[0]) == (
        "dev\ta.txt\twrong_speaker\tNone\tgold='Ben Ode'\tpredicted='Amy Lo'"
        "\trule='colon-cue'\t'Nobody expected us to get this far'")


# --- several gold sets: gold_sets() and the eval command ------------------------------

#: Gold for ARTICLE that the parser gets all right.
PERFECT = [q("We trained hard all winter and it showed today.", "Amy Lo", kind="direct"),
           q("Nobody expected us to get this far", "Ben Ode", kind="direct")]
#: Gold for ARTICLE with one quote matched and one the parser misses (so one spurious).
HALF = [q("We trained hard all winter and it showed today.", "Amy Lo", kind="direct"),
        q("A quote that the parser never saw at all", "Ben Ode", kind="partial")]


def eval_cli(tmp_path: Path, *args: str | Path) -> Result:
    """Run ``quotedb eval`` with ``args``; the database is never opened."""
    return Quotedb(str(tmp_path / "unused.db"))("eval", *map(str, args))


def test_gold_sets_from_files_and_folders(tmp_path: Path) -> None:
    one = write_case(tmp_path / "one", ARTICLE, PERFECT)
    write_case(tmp_path / "dev" / "peer" / "x", ARTICLE, HALF)
    write_case(tmp_path / "dev" / "polnear", ARTICLE, HALF)
    assert gold_sets([one, tmp_path / "dev"]) == [
        GoldSet("one", one, tmp_path / "one"),
        GoldSet("peer/x", tmp_path / "dev/peer/x/gold.jsonl", tmp_path / "dev/peer/x"),
        GoldSet("polnear", tmp_path / "dev/polnear/gold.jsonl", tmp_path / "dev/polnear"),
    ]


def test_gold_sets_folder_holding_gold_is_named_after_itself(tmp_path: Path) -> None:
    gold = write_case(tmp_path / "seeds", ARTICLE, PERFECT)
    assert gold_sets([tmp_path / "seeds"]) == [GoldSet("seeds", gold, tmp_path / "seeds")]


def test_gold_sets_gold_file_then_its_articles_folder(tmp_path: Path) -> None:
    gold = write_case(tmp_path / "g", ARTICLE, PERFECT)
    (tmp_path / "arts").mkdir()
    assert gold_sets([gold, tmp_path / "arts"]) == [GoldSet("g", gold, tmp_path / "arts")]
    # The gold file's own folder after it is its articles folder too: one set, not two.
    assert gold_sets([gold, tmp_path / "g"]) == [GoldSet("g", gold, tmp_path / "g")]


def test_gold_sets_named_twice_are_scored_once(tmp_path: Path) -> None:
    gold = write_case(tmp_path / "dev" / "a", ARTICLE, PERFECT)
    assert len(gold_sets([tmp_path / "dev", gold, tmp_path / "dev" / "a"])) == 1


def test_gold_sets_folder_without_gold(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(NoGoldFile, match="empty: no gold.jsonl"):
        gold_sets([tmp_path / "empty"])


def test_eval_several_sets_prints_a_row_each_and_the_total(tmp_path: Path) -> None:
    result = eval_cli(tmp_path, write_case(tmp_path / "aa", ARTICLE, PERFECT),
                      write_case(tmp_path / "b", ARTICLE, HALF))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "set    articles  gold  predicted  quote P  quote R  quote F1  speaker acc"
        "  end-to-end F1\n"
        "aa            1     2          2    1.000    1.000     1.000        1.000"
        "          1.000\n"
        "b             1     2          2    0.500    0.500     0.500        1.000"
        "          0.500\n"
        "total         2     4          4    0.750    0.750     0.750        1.000"
        "          0.750\n"
        "\n"
        "recall by kind\n"
        "  direct           1.000  3/3\n"
        "  partial          0.000  0/1\n"
    )


def test_eval_several_sets_json_keeps_the_total_at_the_top(tmp_path: Path) -> None:
    result = eval_cli(tmp_path, write_case(tmp_path / "aa", ARTICLE, PERFECT),
                      write_case(tmp_path / "b", ARTICLE, HALF), "--format", "json")
    report = json.loads(result.stdout)
    assert (report["quote_f1"], report["speaker_accuracy"], report["end_to_end_f1"]) == (
        0.75, 1.0, 0.75)
    assert report["recall_by_kind"] == {"direct": {"matched": 3, "total": 3, "recall": 1.0},
                                        "partial": {"matched": 0, "total": 1, "recall": 0.0}}
    assert [(s["set"], s["quote_f1"], s["gold_quotes"]) for s in report["sets"]] == [
        ("aa", 1.0, 2), ("b", 0.5, 2)]
    assert report["sets"][1]["recall_by_kind"]["partial"]["total"] == 1
    assert "errors" not in report


def test_eval_folder_argument_finds_every_gold_file(tmp_path: Path) -> None:
    write_case(tmp_path / "dev" / "peer" / "x", ARTICLE, PERFECT)
    write_case(tmp_path / "dev" / "polnear", ARTICLE, HALF)
    result = eval_cli(tmp_path, tmp_path / "dev", "--format", "json", "--errors")
    report = json.loads(result.stdout)
    assert [s["set"] for s in report["sets"]] == ["peer/x", "polnear"]
    assert sorted((e["set"], e["kind"], e["rule"]) for e in report["errors"]) == [
        ("polnear", "missed", None), ("polnear", "spurious", "after")]


def test_eval_errors_in_text_name_the_set(tmp_path: Path) -> None:
    result = eval_cli(tmp_path, write_case(tmp_path / "aa", ARTICLE, PERFECT),
                      write_case(tmp_path / "b", ARTICLE, HALF), "--errors")
    errors = [line for line in result.stdout.splitlines() if "\t" in line]
    assert [line.split("\t")[:3] for line in errors] == [
        ["b", "a.txt", "missed"], ["b", "a.txt", "spurious"]]


def test_eval_gold_file_and_articles_folder_is_one_set(tmp_path: Path) -> None:
    arts = tmp_path / "arts"
    arts.mkdir()
    (arts / "a.txt").write_text(ARTICLE, encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"article": "a.txt", "quotes": PERFECT[1:]}) + "\n",
                    encoding="utf-8")
    result = eval_cli(tmp_path, gold, arts)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "quote_precision   0.500\n"
        "quote_recall      1.000\n"
        "quote_f1          0.667\n"
        "speaker_accuracy  1.000\n"
        "end_to_end_f1     0.667\n"
        "gold_quotes       1\n"
        "predicted_quotes  2\n"
        "matched           1\n"
        "speaker_correct   1\n"
        "speaker_total     1\n"
        "articles          1\n"
        "recall by kind\n"
        "  direct           1.000  1/1\n"
    )
    figures = json.loads(eval_cli(tmp_path, gold, arts, "--format", "json").stdout)
    assert figures["quote_f1"] == pytest.approx(2 / 3)
    assert [s["set"] for s in figures["sets"]] == [tmp_path.name]


def test_eval_folder_without_gold_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = eval_cli(tmp_path, tmp_path / "empty")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'empty'}: no gold.jsonl in this folder or below it\n")


def test_helpers() -> None:
    assert tokens("Don’t STOP") == ["don", "t", "stop"]
    assert token_f1(["a"], []) == 0.0
    assert normalise_speaker(" The  U.S. State-Department ") == "us statedepartment"
    assert GoldQuote("t", None).optional is False


def test_seed_figures() -> None:
    report = evaluate(SEEDS / "gold.jsonl")
    figures = report.as_dict()
    assert figures["articles"] == 5
    assert figures["quote_f1"] >= 0.97
    assert figures["speaker_accuracy"] >= 0.95
    assert set(figures) >= {
        "quote_precision", "quote_recall", "quote_f1", "speaker_accuracy", "end_to_end_f1",
        "gold_quotes", "predicted_quotes", "matched", "speaker_correct", "speaker_total",
    }


# --- bench/bench_accuracy.py ----------------------------------------------------------


def bench_layout(tmp_path: Path) -> Path:
    """A checkout with seeds beside a shared/devsets folder of two sets; the checkout."""
    repo = tmp_path / "repo"
    write_case(repo / "seeds", ARTICLE, PERFECT)
    write_case(tmp_path / "shared" / "devsets" / "peer" / "x", ARTICLE, HALF)
    write_case(tmp_path / "shared" / "devsets" / "polnear", ARTICLE, PERFECT)
    return repo


def test_bench_accuracy_scores_the_seeds_and_every_devset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench_accuracy.main(["--root", str(bench_layout(tmp_path))]) == 0
    rows = [line.split()[:7] for line in capsys.readouterr().out.splitlines()[1:]]
    assert rows == [
        ["seeds", "1", "2", "2", "1.000", "1.000", "1.000"],
        ["peer/x", "1", "2", "2", "0.500", "0.500", "0.500"],
        ["polnear", "1", "2", "2", "1.000", "1.000", "1.000"],
        ["total", "3", "6", "6", "0.833", "0.833", "0.833"],
    ]


def test_bench_accuracy_json_and_absent_seeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = bench_layout(tmp_path)
    (repo / "seeds" / "gold.jsonl").unlink()
    assert bench_accuracy.main(["--root", str(repo), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [s["set"] for s in report["sets"]] == ["peer/x", "polnear"]
    assert report["gold_quotes"] == 4 and report["quote_f1"] == 0.75


def test_bench_accuracy_errors_of_one_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench_accuracy.main(["--root", str(bench_layout(tmp_path)), "--errors", "peer/x"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if not line.startswith(" ")] == [
        "missed: 1, rule None 1", "spurious: 1, rule after 1", "wrong_speaker: 0"]
    assert lines[1].split("\t")[:3] == ["  peer/x", "a.txt", "missed"]


def test_bench_accuracy_without_any_set_fails(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        bench_accuracy.main(["--root", str(tmp_path / "repo")])
    assert info.value.code == 2


def test_a_gold_file_then_a_folder_above_it_is_one_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`eval seeds/gold.jsonl .`: the folder holds that gold file deeper down; nothing else."""
    write_case(tmp_path / "seeds", ARTICLE, PERFECT)
    monkeypatch.chdir(tmp_path)
    sets = gold_sets([Path("seeds/gold.jsonl"), Path(".")])
    assert [(s.gold, s.articles) for s in sets] == [(Path("seeds/gold.jsonl"), Path("seeds"))]
