"""Speaker curation: a researcher's fixes to who is who, made once and kept.

The parser names speakers as the articles do, so one person can end up as
two speakers ("Bill de Blasio" and "Mayor de Blasio"), a name can be
misspelt, and the kind or gender read from the text can be wrong. A
researcher fixes these with ``merge``, ``rename`` and ``set``. Each fix is
stored as a *decision* in ``speaker_curation`` rather than only applied to
the rows, because ingest and reparse re-create speakers from the text: a
newly ingested article that names "Mayor de Blasio" makes that speaker
again, and a reparse rebuilds every quote. ``apply_decisions`` replays all
decisions in the order they were made after each of those, so a fix is
made once and holds.

Decisions name speakers by key (``names.name_key``), never by id: ids do
not survive a reparse, names do. Replaying is idempotent: a decision whose
speakers are already merged, renamed or set changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, func, insert, or_, select, update

from . import models
from .errors import QuotedbError
from .names import name_key
from .records import SPEAKER_KINDS

#: The genders ``set`` accepts; "unknown" clears what the text said.
GENDERS = ("female", "male", "unknown")

_quotes = cast(Table, models.Quote.__table__)
_speakers = cast(Table, models.Speaker.__table__)
_aliases = cast(Table, models.SpeakerAlias.__table__)
_evidence = cast(Table, models.SpeakerEvidence.__table__)
_decisions = cast(Table, models.SpeakerDecision.__table__)


class CurationError(QuotedbError):
    """A curation command named no speaker, or asked for something impossible."""


@dataclass(frozen=True, slots=True)
class Decision:
    """One stored fix; see ``merge``, ``rename`` and ``set_attributes``."""

    id: int
    action: str
    speaker: str
    other: str | None
    kind: str | None
    gender: str | None
    made_at: datetime

    def describe(self) -> str:
        """The decision as a user would type it."""
        if self.action == "merge":
            return f"merge {self.speaker!r} <- {self.other!r}"
        if self.action == "rename":
            return f"rename {self.speaker!r} -> {self.other!r}"
        settings = [f"--{name} {value}" for name, value in
                    (("kind", self.kind), ("gender", self.gender)) if value]
        return f"set {self.speaker!r} {' '.join(settings)}"


# --- the commands: record a decision, then apply it -------------------------

def merge(connection: Connection, into: str, other: str) -> Decision:
    """Make ``other`` one speaker with ``into``: its quotes, evidence and aliases
    move to ``into`` and its name becomes an alias of ``into``.

    Both must name a stored speaker (by name or key, see ``find_speaker``).
    """
    target = find_speaker(connection, into)
    source = find_speaker(connection, other)
    if target.id == source.id:
        raise CurationError(f"{into!r} and {other!r} are the same speaker")
    return _decide(connection, "merge", target.name, source.name)


def rename(connection: Connection, speaker: str, new_name: str) -> Decision:
    """Give a speaker a new name; the old one stays as an alias.

    Renaming to the name of another stored speaker merges the two under
    that speaker's name (whatever the case typed); renaming to the same
    name in another case or with accents corrects its spelling.
    """
    found = find_speaker(connection, speaker)
    if not name_key(new_name):
        raise CurationError(f"{new_name!r} has no letters or digits: not a name")
    return _decide(connection, "rename", found.name, new_name.strip())


def set_attributes(connection: Connection, speaker: str, *, kind: str | None = None,
                   gender: str | None = None) -> Decision:
    """Set a speaker's kind and/or gender over what the articles' text says."""
    if kind is None and gender is None:
        raise CurationError("nothing to set: give a kind or a gender")
    if kind is not None and kind not in SPEAKER_KINDS:
        raise CurationError(f"unknown kind {kind!r}: one of {', '.join(SPEAKER_KINDS)}")
    if gender is not None and gender not in GENDERS:
        raise CurationError(f"unknown gender {gender!r}: one of {', '.join(GENDERS)}")
    found = find_speaker(connection, speaker)
    return _decide(connection, "set", found.name, None, kind=kind, gender=gender)


def decisions(connection: Connection) -> list[Decision]:
    """Every stored decision, in the order they are applied."""
    rows = connection.execute(select(_decisions).order_by(_decisions.c.id))
    return [Decision(row.id, row.action, row.speaker, row.other, row.kind, row.gender,
                     row.made_at) for row in rows]


def forget(connection: Connection, decision_id: int) -> Decision:
    """Delete a stored decision so later ingests and reparses stop applying it.

    What it already changed stays (a merge cannot be taken apart from the
    rows); a reparse rebuilds the speakers from the text without it.
    """
    for decision in decisions(connection):
        if decision.id == decision_id:
            connection.execute(delete(_decisions).where(_decisions.c.id == decision_id))
            return decision
    raise CurationError(f"no curation decision {decision_id}")


def _decide(connection: Connection, action: str, speaker: str, other: str | None,
            **values: Any) -> Decision:
    made_at = datetime.now(timezone.utc)
    decision_id = connection.execute(
        insert(_decisions).values(action=action, speaker=speaker, other=other,
                                  made_at=made_at, **values)
        .returning(_decisions.c.id)
    ).scalar_one()
    decision = Decision(decision_id, action, speaker, other, values.get("kind"),
                        values.get("gender"), made_at)
    _apply(connection, decision)
    return decision


# --- finding speakers ---------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Found:
    id: int
    name: str
    key: str


def find_speaker(connection: Connection, name: str) -> _Found:
    """The one speaker whose name (or key) is ``name``, in any case and accents.

    Exact, unlike ``quotes --speaker``, which matches whole words: a fix
    must not land on a speaker the user did not mean. An alias that only
    one speaker has also names it.
    """
    found = _by_key(connection, name_key(name))
    if found is not None:
        return found
    owners = connection.execute(
        select(_speakers.c.id, _speakers.c.name, _speakers.c.key)
        .join(_aliases, _aliases.c.speaker_id == _speakers.c.id)
        .where(_aliases.c.key == name_key(name)).distinct()
    ).all()
    if len(owners) == 1:
        return _Found(*owners[0])
    if owners:
        names = ", ".join(sorted(row.name for row in owners))
        raise CurationError(f"{name!r} is an alias of several speakers ({names}): use the name")
    raise CurationError(f"no speaker named {name!r}")


def _by_key(connection: Connection, key: str) -> _Found | None:
    if not key:
        return None
    row = connection.execute(
        select(_speakers.c.id, _speakers.c.name, _speakers.c.key).where(_speakers.c.key == key)
    ).first()
    return _Found(*row) if row else None


# --- replaying decisions ------------------------------------------------------

def apply_decisions(connection: Connection) -> int:
    """Replay every stored decision in order; return how many changed something.

    Ingest and reparse call this after writing, in their own transaction,
    so the speakers they re-created from the text get the researcher's
    fixes again.
    """
    return sum(_apply(connection, decision) for decision in decisions(connection))


def _apply(connection: Connection, decision: Decision) -> bool:
    if decision.action == "merge":
        return _apply_merge(connection, decision.speaker, decision.other or "")
    if decision.action == "rename":
        return _apply_rename(connection, decision.speaker, decision.other or "")
    return _apply_set(connection, decision)


def _apply_merge(connection: Connection, into: str, other: str) -> bool:
    source = _by_key(connection, name_key(other))
    if source is None:
        return False
    target = _by_key(connection, name_key(into))
    if target is None:  # only the merged name came back (a reparse): it takes the kept name
        _set_name(connection, source, into)
        return True
    if target.id == source.id:
        return False
    _move_speaker(connection, source, target)
    return True


def _apply_rename(connection: Connection, old: str, new: str) -> bool:
    found = _by_key(connection, name_key(old))
    if found is None:
        return False
    other = _by_key(connection, name_key(new))
    if other is not None and other.id != found.id:
        # Another speaker already has that name: they are one, under its name.
        _move_speaker(connection, found, other)
        return True
    if found.name == new:
        return False
    _set_name(connection, found, new)  # a new name, or the same one spelt better
    return True


def _apply_set(connection: Connection, decision: Decision) -> bool:
    found = _by_key(connection, name_key(decision.speaker))
    if found is None:
        return False
    values: dict[str, Any] = {}
    if decision.kind is not None:
        values["kind"] = decision.kind
    if decision.gender is not None:
        values["gender"] = None if decision.gender == "unknown" else decision.gender
    changed = connection.execute(
        update(_speakers).where(_speakers.c.id == found.id)
        .where(or_(*(_speakers.c[column].is_distinct_from(value)
                     for column, value in values.items())))
        .values(**values)
    ).rowcount
    return bool(changed)


def _set_name(connection: Connection, speaker: _Found, new: str) -> None:
    """Rename in place; the old name stays an alias so searches for it still find them."""
    _add_alias(connection, speaker.id, speaker.name)
    connection.execute(update(_speakers).where(_speakers.c.id == speaker.id)
                       .values(name=new[:255], key=name_key(new)[:255]))
    _add_alias(connection, speaker.id, new)


def _add_alias(connection: Connection, speaker_id: int, alias: str) -> None:
    key = name_key(alias)[:255]
    exists = connection.execute(
        select(_aliases.c.id).where(_aliases.c.speaker_id == speaker_id, _aliases.c.key == key)
    ).first()
    if not exists and key:
        connection.execute(insert(_aliases).values(speaker_id=speaker_id, key=key,
                                                   alias=alias[:255]))


def _move_speaker(connection: Connection, source: _Found, target: _Found) -> None:
    """Everything of ``source`` becomes ``target``'s, and ``source`` goes."""
    connection.execute(update(_quotes).where(_quotes.c.speaker_id == source.id)
                       .values(speaker_id=target.id))
    # One vote per article and speaker: where both had one, the target's stays.
    both = select(_evidence.c.article_id).where(_evidence.c.speaker_id == target.id)
    connection.execute(delete(_evidence).where(_evidence.c.speaker_id == source.id,
                                               _evidence.c.article_id.in_(both)))
    connection.execute(update(_evidence).where(_evidence.c.speaker_id == source.id)
                       .values(speaker_id=target.id))
    have = select(_aliases.c.key).where(_aliases.c.speaker_id == target.id)
    connection.execute(delete(_aliases).where(_aliases.c.speaker_id == source.id,
                                              _aliases.c.key.in_(have)))
    connection.execute(update(_aliases).where(_aliases.c.speaker_id == source.id)
                       .values(speaker_id=target.id))
    _add_alias(connection, target.id, source.name)
    connection.execute(delete(_speakers).where(_speakers.c.id == source.id))
    _recount(connection, target.id)


def _recount(connection: Connection, speaker_id: int) -> None:
    """Kind and gender from the merged evidence, as ingest decides them."""
    from .ingest import decide_gender, decide_kind  # ingest imports the parser: only when merging

    kinds: Counter[str] = Counter()
    genders: Counter[str] = Counter()
    for kind, gender in connection.execute(
        select(_evidence.c.kind, _evidence.c.gender).where(_evidence.c.speaker_id == speaker_id)
    ):
        kinds[kind] += 1
        if gender is not None:
            genders[gender] += 1
    connection.execute(update(_speakers).where(_speakers.c.id == speaker_id)
                       .values(kind=decide_kind(kinds), gender=decide_gender(genders)))


# --- likely duplicates ----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SimilarPair:
    """Two speakers who may be one person, with their quote counts."""

    name: str
    quotes: int
    other: str
    other_quotes: int
    reason: str


def similar_speakers(connection: Connection) -> list[SimilarPair]:
    """Pairs of people who are likely one: same surname, compatible given names.

    "Compatible" is how news names one person: with or without given names
    ("Lee" / "Ann Lee"), with an initial ("A. Lee" / "Ann Lee"), with or
    without a middle name ("Ann Lee" / "Ann B. Lee"). Accents and case are
    already one key. Organisations are left out: "Smith Foundation" and
    "Smith" share a last word, not an identity. Most quoted pairs first:
    those move the figures most.
    """
    q = _quotes
    count = func.count(q.c.id)
    rows = connection.execute(
        select(_speakers.c.name, _speakers.c.key, _speakers.c.kind, count.label("quotes"))
        .outerjoin(q, (q.c.speaker_id == _speakers.c.id) & q.c.fragment.is_(False))
        .group_by(_speakers.c.id, _speakers.c.name, _speakers.c.key, _speakers.c.kind)
    ).all()
    by_surname: dict[str, list[Any]] = {}
    for row in rows:
        words = row.key.split()
        if row.kind in (None, "person") and words:
            by_surname.setdefault(words[-1], []).append(row)
    pairs = []
    for group in by_surname.values():
        for i, first in enumerate(group):
            for second in group[i + 1:]:
                reason = compatible_given_names(first.key.split()[:-1], second.key.split()[:-1])
                if reason:
                    a, b = sorted((first, second), key=lambda r: (-r.quotes, r.name))
                    pairs.append(SimilarPair(a.name, a.quotes, b.name, b.quotes, reason))
    return sorted(pairs, key=lambda p: (-(p.quotes + p.other_quotes), p.name, p.other))


def compatible_given_names(one: list[str], other: list[str]) -> str | None:
    """Why two lists of given names (surname removed) may be one person's, or None.

    >>> compatible_given_names([], ["ann"])
    'surname only'
    >>> compatible_given_names(["a"], ["ann"])
    'initial'
    >>> compatible_given_names(["ann"], ["ann", "b"])
    'middle name'
    >>> compatible_given_names(["ann"], ["tom"]) is None
    True
    """
    if not one or not other:
        return "surname only"
    shorter, longer = sorted((one, other), key=len)
    if not _same_given(shorter[0], longer[0]):
        return None
    rest = iter(longer[1:])
    if not all(any(_same_given(word, candidate) for candidate in rest) for word in shorter[1:]):
        return None
    if len(shorter) < len(longer):
        return "middle name"
    return "initial"


def _same_given(a: str, b: str) -> bool:
    if a == b:
        return True
    return (len(a) == 1 or len(b) == 1) and a[0] == b[0]
