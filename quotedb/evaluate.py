"""Score the parser against hand-annotated gold quotations.

The matching rules are fixed so that figures compare with other tools:

* Quote texts are compared as case-folded ``\\w+`` tokens (curly quotes
  folded); a prediction matches a gold quote when their token-overlap F1 is
  at least :data:`MATCH_THRESHOLD`. Pairs are taken greedily, best first,
  one-to-one.
* Gold quotes marked ``optional`` are neither required nor held against a
  prediction: a prediction matching one is removed from both sides.
* Predictions with ``fragment=True`` are not predictions.
* A speaker is right when its normalised name equals the gold ``speaker`` or
  one of its ``aliases`` (case-folded, punctuation dropped, a leading "the"
  dropped, whitespace collapsed). Speaker accuracy is over matched gold
  quotes with a non-null speaker.
* A gold quote marked ``speaker_unresolvable`` (the text names nobody who
  could be the speaker) or ``speaker_unscored`` (nobody checked) has its
  speaker left unscored: any answer is accepted, it is not in speaker
  accuracy, and end to end it counts as soon as the quote matched.
* End to end, a matched quote counts only when its speaker is right too (a
  null gold speaker needs a null prediction).
* Gold quotes may carry a ``kind`` (:data:`KINDS`); quote recall is also
  reported per kind, over required gold quotes, to show which kind of
  quotation the parser misses.

A ratio whose denominator is zero is 1.0: nothing was there to get wrong.

Several gold sets can be scored in one run (:func:`gold_sets`); their total
sums the counts and recomputes the figures, so a big set weighs more than a
small one, as it would if the sets were one file.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import regex

from .parser import parse_article
from .records import Quote

#: Token-overlap F1 at or above which a prediction matches a gold quote.
MATCH_THRESHOLD = 0.8

#: Word tokens compared between gold and predicted texts.
_TOKEN = regex.compile(r"\w+")
#: Curly and other typographic quotes folded to straight ones before tokenising.
_QUOTE_FOLD = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201A": "'", "\u201C": '"', "\u201D": '"', "\u201E": '"'}
)
#: Anything that is not a letter, digit or space: dropped from speaker names.
_NAME_PUNCT = regex.compile(r"[^\w\s]|_")
_SPACES = regex.compile(r"\s+")

ERROR_KINDS = ("missed", "spurious", "wrong_speaker")

#: Values of a gold quote's ``kind``, in report order (see shared/devsets/README.md).
KINDS = ("direct", "partial", "multi_paragraph", "exotic", "unmarked")

#: The file name ``quotedb eval`` looks for in a folder argument.
GOLD_FILE = "gold.jsonl"


class GoldFileError(ValueError):
    """A gold file line is not a valid annotation (the message names file and line)."""


class NoGoldFile(ValueError):
    """A folder given as a gold set holds no gold.jsonl at any depth."""


@dataclass(frozen=True, slots=True)
class GoldQuote:
    """One annotated quotation."""

    text: str
    speaker: str | None
    aliases: tuple[str, ...] = ()
    optional: bool = False
    start: int | None = None
    kind: str | None = None
    speaker_unresolvable: bool = False
    speaker_unscored: bool = False

    @property
    def speaker_scored(self) -> bool:
        """Whether the speaker counts: not when nobody could or did decide it."""
        return not (self.speaker_unresolvable or self.speaker_unscored)


@dataclass(frozen=True, slots=True)
class GoldArticle:
    """The annotations of one article file."""

    article: str
    quotes: tuple[GoldQuote, ...]


@dataclass(frozen=True, slots=True)
class EvalError:
    """One disagreement between parser and gold, for ``quotedb eval --errors``."""

    article: str
    kind: str
    text: str
    start: int | None
    gold_speaker: str | None
    predicted_speaker: str | None
    #: The parser rule that attributed the prediction, when the parser says.
    rule: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return asdict(self)


@dataclass(slots=True)
class EvalReport:
    """Counts and figures over a whole gold file."""

    articles: int = 0
    gold_quotes: int = 0
    predicted_quotes: int = 0
    matched: int = 0
    speaker_correct: int = 0
    speaker_total: int = 0
    end_to_end_correct: int = 0
    #: Required gold quotes per ``kind``, and how many of them matched.
    kind_gold: Counter[str] = field(default_factory=Counter)
    kind_matched: Counter[str] = field(default_factory=Counter)
    errors: list[EvalError] = field(default_factory=list)

    @property
    def quote_precision(self) -> float:
        """Matched over predicted."""
        return _ratio(self.matched, self.predicted_quotes)

    @property
    def quote_recall(self) -> float:
        """Matched over required gold."""
        return _ratio(self.matched, self.gold_quotes)

    @property
    def quote_f1(self) -> float:
        """Harmonic mean of quote precision and recall."""
        return _f1(self.quote_precision, self.quote_recall)

    @property
    def speaker_accuracy(self) -> float:
        """Right speakers over matched gold quotes that have a speaker."""
        return _ratio(self.speaker_correct, self.speaker_total)

    @property
    def end_to_end_f1(self) -> float:
        """F1 where a match counts only with the right speaker."""
        p = _ratio(self.end_to_end_correct, self.predicted_quotes)
        r = _ratio(self.end_to_end_correct, self.gold_quotes)
        return _f1(p, r)

    def as_dict(self) -> dict[str, float | int]:
        """Figures then counts, in a stable order."""
        return {
            "quote_precision": self.quote_precision,
            "quote_recall": self.quote_recall,
            "quote_f1": self.quote_f1,
            "speaker_accuracy": self.speaker_accuracy,
            "end_to_end_f1": self.end_to_end_f1,
            "gold_quotes": self.gold_quotes,
            "predicted_quotes": self.predicted_quotes,
            "matched": self.matched,
            "speaker_correct": self.speaker_correct,
            "speaker_total": self.speaker_total,
            "articles": self.articles,
        }

    def recall_by_kind(self) -> dict[str, dict[str, float | int]]:
        """Quote recall per gold ``kind`` present, in :data:`KINDS` order."""
        return {
            kind: {
                "matched": self.kind_matched[kind],
                "total": self.kind_gold[kind],
                "recall": _ratio(self.kind_matched[kind], self.kind_gold[kind]),
            }
            for kind in KINDS
            if self.kind_gold[kind]
        }


def total(reports: Iterable[EvalReport]) -> EvalReport:
    """The reports' counts summed: figures are recomputed, never averaged."""
    out = EvalReport()
    for report in reports:
        # Every field adds: counts as ints, kinds as Counters, errors as lists.
        for f in fields(EvalReport):
            setattr(out, f.name, getattr(out, f.name) + getattr(report, f.name))
    return out


def _ratio(num: int, den: int) -> float:
    """``num / den``, 1.0 when there was nothing to count."""
    return num / den if den else 1.0


def _f1(p: float, r: float) -> float:
    """Harmonic mean, 0.0 when both are zero."""
    return 2 * p * r / (p + r) if p + r else 0.0


def tokens(text: str) -> list[str]:
    """Case-folded word tokens of a quote text.

    >>> tokens("It’s OUR hope,")
    ['it', 's', 'our', 'hope']
    """
    return _TOKEN.findall(text.translate(_QUOTE_FOLD).casefold())


def token_f1(a: Sequence[str], b: Sequence[str]) -> float:
    """Token-overlap F1 of two token lists (multiset overlap).

    >>> token_f1(["a", "b", "c"], ["a", "b"])
    0.8
    """
    if not a or not b:
        return 0.0
    overlap = sum((Counter(a) & Counter(b)).values())
    return 2 * overlap / (len(a) + len(b))


def normalise_speaker(name: str) -> str:
    """Speaker name as compared: case-folded, no punctuation, no leading "the".

    >>> normalise_speaker("  The State Department. ")
    'state department'
    """
    folded = _NAME_PUNCT.sub("", name.translate(_QUOTE_FOLD).casefold())
    folded = _SPACES.sub(" ", folded).strip()
    if folded.startswith("the "):
        folded = folded[4:]
    return folded


def speaker_right(gold: GoldQuote, predicted: str | None) -> bool:
    """The predicted speaker names the gold speaker (null must meet null)."""
    if gold.speaker is None:
        return predicted is None
    if predicted is None:
        return False
    want = {normalise_speaker(gold.speaker)} | {normalise_speaker(a) for a in gold.aliases}
    return normalise_speaker(predicted) in want


def match(
    gold: Sequence[GoldQuote], predicted: Sequence[Quote]
) -> list[tuple[int, int]]:
    """Greedy best-first one-to-one pairs ``(gold_index, predicted_index)``.

    Ties go to the pair whose offsets are closest, then to document order, so
    the result is deterministic.
    """
    gold_toks = [tokens(g.text) for g in gold]
    pred_toks = [tokens(p.text) for p in predicted]
    candidates: list[tuple[float, int, int, int]] = []
    for gi, gt in enumerate(gold_toks):
        for pi, pt in enumerate(pred_toks):
            score = token_f1(gt, pt)
            if score >= MATCH_THRESHOLD:
                g_start = gold[gi].start
                distance = abs(g_start - predicted[pi].start) if g_start is not None else 0
                candidates.append((-score, distance, gi, pi))
    candidates.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, _, gi, pi in candidates:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append((gi, pi))
    return sorted(pairs)


def score_article(
    report: EvalReport, name: str, gold: Sequence[GoldQuote], predicted: Iterable[Quote]
) -> None:
    """Add one article's counts and errors to ``report``."""
    preds = [q for q in predicted if not q.fragment]
    pairs = match(gold, preds)
    matched_g = {gi for gi, _ in pairs}
    matched_p = {pi for _, pi in pairs}
    optional_p = {pi for gi, pi in pairs if gold[gi].optional}
    report.articles += 1
    report.gold_quotes += sum(1 for g in gold if not g.optional)
    report.kind_gold.update(g.kind for g in gold if g.kind and not g.optional)
    report.predicted_quotes += len(preds) - len(optional_p)
    for gi, pi in pairs:
        g, p = gold[gi], preds[pi]
        if g.optional:
            continue
        report.matched += 1
        if g.kind:
            report.kind_matched[g.kind] += 1
        if not g.speaker_scored:
            report.end_to_end_correct += 1
            continue
        right = speaker_right(g, p.speaker)
        if g.speaker is not None:
            report.speaker_total += 1
            report.speaker_correct += right
        if right:
            report.end_to_end_correct += 1
        else:
            report.errors.append(EvalError(
                name, "wrong_speaker", g.text, g.start, g.speaker, p.speaker, _rule(p)
            ))
    for gi, g in enumerate(gold):
        if gi not in matched_g and not g.optional:
            report.errors.append(EvalError(name, "missed", g.text, g.start, g.speaker, None))
    for pi, p in enumerate(preds):
        if pi not in matched_p:
            report.errors.append(
                EvalError(name, "spurious", p.text, p.start, None, p.speaker, _rule(p))
            )


def _rule(quote: Quote) -> str | None:
    """The name of the rule that attributed ``quote``, if the parser records one."""
    return getattr(quote, "rule", None)


def _field_error(path: Path, lineno: int, what: str) -> GoldFileError:
    """A one-line error naming the gold file and line."""
    return GoldFileError(f"{path}:{lineno}: {what}")


def _gold_quote(raw: Any, path: Path, lineno: int) -> GoldQuote:
    """Validate one quote object of a gold line."""
    if not isinstance(raw, dict):
        raise _field_error(path, lineno, "each quote must be a JSON object")
    text = raw.get("text")
    speaker = raw.get("speaker")
    aliases = raw.get("aliases", []) or []
    optional = raw.get("optional", False)
    start = raw.get("start")
    kind = raw.get("kind")
    unresolvable = raw.get("speaker_unresolvable", False)
    unscored = raw.get("speaker_unscored", False)
    if not isinstance(text, str):
        raise _field_error(path, lineno, "quote 'text' must be a string")
    if speaker is not None and not isinstance(speaker, str):
        raise _field_error(path, lineno, "quote 'speaker' must be a string or null")
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise _field_error(path, lineno, "quote 'aliases' must be a list of strings")
    if not isinstance(optional, bool):
        raise _field_error(path, lineno, "quote 'optional' must be true or false")
    if start is not None and (not isinstance(start, int) or isinstance(start, bool)):
        raise _field_error(path, lineno, "quote 'start' must be an integer")
    if kind is not None and kind not in KINDS:
        raise _field_error(path, lineno, f"quote 'kind' must be one of {', '.join(KINDS)}")
    if not isinstance(unresolvable, bool):
        raise _field_error(path, lineno, "quote 'speaker_unresolvable' must be true or false")
    if not isinstance(unscored, bool):
        raise _field_error(path, lineno, "quote 'speaker_unscored' must be true or false")
    return GoldQuote(
        text, speaker, tuple(aliases), optional, start, kind, unresolvable, unscored
    )


def read_gold(path: Path) -> list[GoldArticle]:
    """Parse a gold JSON Lines file; blank lines are skipped.

    Raises:
        GoldFileError: a line is not JSON or lacks ``article``/``quotes``.
    """
    articles: list[GoldArticle] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise _field_error(path, lineno, f"not valid JSON ({exc.msg})") from None
            if not isinstance(obj, dict):
                raise _field_error(path, lineno, "expected a JSON object")
            name = obj.get("article")
            quotes = obj.get("quotes")
            if not isinstance(name, str) or not name:
                raise _field_error(path, lineno, "missing 'article' file name")
            if not isinstance(quotes, list):
                raise _field_error(path, lineno, "missing 'quotes' list")
            articles.append(
                GoldArticle(name, tuple(_gold_quote(q, path, lineno) for q in quotes))
            )
    return articles


def evaluate(gold_path: Path, articles_dir: Path | None = None) -> EvalReport:
    """Parse every article named in the gold file and score the parser.

    Args:
        gold_path: JSON Lines gold file.
        articles_dir: folder of the article files; defaults to the gold file's.

    Raises:
        GoldFileError: a malformed gold line.
        FileNotFoundError: an article file named in the gold file is missing.
    """
    gold_path = Path(gold_path)
    folder = Path(articles_dir) if articles_dir is not None else gold_path.parent
    report = EvalReport()
    for art in read_gold(gold_path):
        path = folder / art.article
        if not path.is_file():
            raise FileNotFoundError(f"article not found: {path}")
        text = path.read_text(encoding="utf-8", errors="replace")
        parsed = parse_article(text)
        score_article(report, art.article, art.quotes, parsed.quotes)
    return report


@dataclass(frozen=True, slots=True)
class GoldSet:
    """One gold file, the folder its articles are in, and the name it is reported by."""

    name: str
    gold: Path
    articles: Path


def gold_sets(paths: Iterable[Path]) -> list[GoldSet]:
    """The gold sets ``quotedb eval`` arguments name, in argument order.

    Each argument is a gold file, whose articles sit beside it, or a folder
    searched recursively for :data:`GOLD_FILE`, one set per file named by its
    folder relative to the argument (``peer-cases/textacy``). A folder right
    after a gold file that holds no other gold file is that file's articles
    folder, which keeps the older ``eval GOLD ARTICLES_DIR`` form working. A set
    named twice is scored once, so no total counts it twice.

    Raises:
        NoGoldFile: a folder holds no gold file and follows no gold file.
    """
    sets: list[GoldSet] = []
    after_file = False
    for path in map(Path, paths):
        if path.is_file():
            name = path.resolve().parent.name if path.name == GOLD_FILE else path.stem
            sets.append(GoldSet(name, path, path.parent))
            after_file = True
            continue
        found = sorted(path.rglob(GOLD_FILE))
        after, after_file = after_file, False
        if after and not found:
            last = sets.pop()  # `eval GOLD ARTICLES_DIR`: the gold file's articles
            sets.append(GoldSet(last.name, last.gold, path))
            continue
        if after and all(gold.samefile(sets[-1].gold) for gold in found):
            continue  # the folder only holds that gold file, whose articles sit beside it
        if not found:
            raise NoGoldFile(f"{path}: no {GOLD_FILE} in this folder or below it")
        for gold in found:
            relative = gold.parent.relative_to(path).as_posix()
            name = path.resolve().name if relative == "." else relative
            sets.append(GoldSet(name, gold, gold.parent))
    unique: dict[tuple[Path, Path], GoldSet] = {}
    for gold_set in sets:
        unique.setdefault((gold_set.gold.resolve(), gold_set.articles.resolve()), gold_set)
    return list(unique.values())


#: Result of scoring one set.
SetResult = tuple[GoldSet, EvalReport]


def evaluate_sets(sets: Iterable[GoldSet]) -> list[SetResult]:
    """Score the parser on each gold set."""
    return [(gold_set, evaluate(gold_set.gold, gold_set.articles)) for gold_set in sets]


def _figures(report: EvalReport) -> dict[str, Any]:
    """A report's figures, counts and recall per kind: one JSON object."""
    return {**report.as_dict(), "recall_by_kind": report.recall_by_kind()}


def eval_payload(results: Sequence[SetResult], with_errors: bool = False) -> dict[str, Any]:
    """The JSON document of a run: the total's figures at the top, then one per set.

    The total stays at the top level so that readers of the one-set document
    (``r["quote_f1"]``) read the same keys for several sets.
    """
    payload = _figures(total(report for _, report in results))
    payload["sets"] = [
        {"set": gold_set.name, "gold": str(gold_set.gold), **_figures(report)}
        for gold_set, report in results
    ]
    if with_errors:
        payload["errors"] = [
            {"set": gold_set.name, **error.as_dict()}
            for gold_set, report in results
            for error in report.errors
        ]
    return payload


#: Table columns: heading, and how a cell is read from a report.
_COLUMNS: tuple[tuple[str, Callable[[EvalReport], str]], ...] = (
    ("articles", lambda r: f"{r.articles}"),
    ("gold", lambda r: f"{r.gold_quotes}"),
    ("predicted", lambda r: f"{r.predicted_quotes}"),
    ("quote P", lambda r: f"{r.quote_precision:.3f}"),
    ("quote R", lambda r: f"{r.quote_recall:.3f}"),
    ("quote F1", lambda r: f"{r.quote_f1:.3f}"),
    ("speaker acc", lambda r: f"{r.speaker_accuracy:.3f}"),
    ("end-to-end F1", lambda r: f"{r.end_to_end_f1:.3f}"),
)


def format_table(results: Sequence[SetResult]) -> str:
    """One row per set, then the total: what ``quotedb eval`` prints for several sets."""
    rows = [(gold_set.name, report) for gold_set, report in results]
    rows.append(("total", total(report for _, report in results)))
    width = max(len("set"), *(len(name) for name, _ in rows))
    lines = ["  ".join([f"{'set':<{width}}", *(heading for heading, _ in _COLUMNS)])]
    for name, report in rows:
        cells = (f"{cell(report):>{len(heading)}}" for heading, cell in _COLUMNS)
        lines.append("  ".join([f"{name:<{width}}", *cells]))
    return "\n".join(lines) + "\n"


def format_kinds(report: EvalReport) -> str:
    """Quote recall per gold kind, a line each (nothing when no quote has a kind)."""
    by_kind = report.recall_by_kind()
    if not by_kind:
        return ""
    width = max(len(kind) for kind in KINDS) + 2
    return "recall by kind\n" + "".join(
        f"  {kind:<{width}}{row['recall']:.3f}  {row['matched']}/{row['total']}\n"
        for kind, row in by_kind.items()
    )


def format_error(set_name: str, error: EvalError) -> str:
    """One tab-separated line per error, the quote text cut to 80 characters."""
    return (
        f"{set_name}\t{error.article}\t{error.kind}\t{error.start}\tgold={error.gold_speaker!r}"
        f"\tpredicted={error.predicted_speaker!r}\trule={error.rule!r}\t{error.text[:80]!r}"
    )


def format_report(results: Sequence[SetResult], with_errors: bool = False) -> str:
    """What ``quotedb eval`` prints: one set's figures, or a table of several sets.

    One set prints a figure a line, as ``quotedb eval`` always has.
    """
    if len(results) == 1:
        report = results[0][1]
        text = "".join(
            f"{key:<18}{value:.3f}\n" if isinstance(value, float) else f"{key:<18}{value}\n"
            for key, value in report.as_dict().items()
        ) + format_kinds(report)
    else:
        kinds = format_kinds(total(report for _, report in results))
        text = format_table(results) + (f"\n{kinds}" if kinds else "")
    if with_errors:
        text += "".join(
            format_error(gold_set.name, error) + "\n"
            for gold_set, report in results
            for error in report.errors
        )
    return text
