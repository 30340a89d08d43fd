"""The people and organisations of one article, for resolving mentions.

``NameRegistry`` collects the article's full personal names, so "Clinton"
or "Mr. Obama" resolves to the full name the article uses most; ``Article``
keeps the entities met so far and the order they were mentioned in, which
pronouns ("he", "she", "they") and descriptions ("the senator") search
backwards, respecting the gender the text gives (titles, role nouns and the
pronouns that have referred to the person).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import regex

from .. import lexicon as lx
from .phrases import MEMO_LIMIT, Mention, _is_acronym, _name_tokens, _strip_possessive

#: A run of capitalised words that may be a name (particles allowed inside).
CAPS_RUN = regex.compile(
    r"""
    (?<![\p{L}\p{N}'\u2019\-.])                          # starts a word
    (?:\p{Lu}\.(?:\p{Lu}\.)*(?=[ ]\p{Lu})                   # initials: "G.K." "K."
     |\p{Lu}[\p{L}\p{M}'\u2019\-]*)                        # Capitalised word
    (?:[ ]+(?:\L<particles>[ ]+)?
       (?:\p{Lu}\.(?:\p{Lu}\.)*(?=[ ]\p{Lu})
        |\p{Lu}[\p{L}\p{M}'\u2019\-]*))*                    # more, with de/bin
    """,
    regex.VERBOSE,
    particles=sorted(lx.NAME_PARTICLES),
)

#: Longest personal name, in words (titles apart): "Julie A. Diaz Martinez".
MAX_NAME_WORDS = 4




@dataclass(slots=True)
class Entity:
    """A speaker candidate resolved within one article."""

    name: str
    kind: str | None
    aliases: list[str] = field(default_factory=list)
    roles: set[str] = field(default_factory=set)
    head: str = ""
    #: "f" or "m" when a title or role noun said so, for "she" and "he".
    gender: str | None = None

    def note_gender(self, words: list[str]) -> None:
        """Take a gender from titles or role nouns among ``words``, once."""
        if self.gender is None:
            self.gender = _gender(words)

    def add_alias(self, alias: str) -> None:
        """Remember another by-name form (not pronouns, not bare descriptions)."""
        alias = alias.strip()
        if alias and alias != self.name and alias not in self.aliases:
            self.aliases.append(alias)


@dataclass(slots=True)
class _Registered:
    """A full name seen in the article, with how good a referent it is."""

    words: tuple[str, ...]
    first: int
    score: int
    #: How often the article writes it in full: the likelier referent of a
    #: bare surname when two people share it.
    count: int = 1


def _gender(words: list[str]) -> str | None:
    """"f" or "m" from the first gendered title or role noun in ``words``.

    >>> _gender(["Ms", "Lee"]), _gender(["a", "spokesman"]), _gender(["Ann", "Lee"])
    ('f', 'm', None)
    """
    for w in words:
        low = w.lower().rstrip(".")
        if low in lx.FEMALE_WORDS:
            return "f"
        if low in lx.MALE_WORDS:
            return "m"
    return None


class NameRegistry:
    """Full personal names in an article, for resolving surnames and titles."""

    def __init__(self, masked: str) -> None:
        self._by_last: dict[str, list[_Registered]] = {}
        self.forms: dict[tuple[str, ...], list[str]] = {}
        #: The strings in each ``forms`` list, for an O(1) membership test:
        #: a run written with a leading non-name word ("By Jane Doe") never
        #: equals its form, so the list grows with every occurrence.
        self._written: dict[tuple[str, ...], set[str]] = {}
        for m in CAPS_RUN.finditer(masked):
            run = m.group()
            if " " in run:  # a single word is never a full name
                self._register(masked, m.start(), run)

    def _register(self, masked: str, pos: int, run: str) -> None:
        """Record one capitalised run if it looks like a personal name."""
        read = _RUNS.get(run, _UNREAD)
        if read is _UNREAD:
            if len(_RUNS) >= MEMO_LIMIT:
                _RUNS.clear()
            read = _RUNS[run] = _read_run(run)
        if read is None:
            return
        skip, words, names, titled = read
        pos += skip
        before = masked[max(0, pos - 12) : pos].lower().split()
        if before and before[-1] in ("the", "a", "an") and not titled:
            return
        score = 1 if titled else 0
        if len(before) >= 2 and before[-1] == "of" and before[-2] in lx.RELATION_NOUNS:
            score -= 2
        key = names
        forms = self.forms.setdefault(key, [])
        written = self._written.setdefault(key, set())
        if run.strip() not in written:  # the set answers for the list: no quadratic scan
            forms.append(words)
            written.add(words)
        bucket = self._by_last.setdefault(names[-1], [])
        for reg in bucket:
            if reg.words == key:
                reg.score = max(reg.score, score)
                reg.count += 1
                return
        bucket.append(_Registered(key, pos, score))

    def resolve(self, names: list[str]) -> str | None:
        """Full name ending with ``names`` (best-scored, then first seen), if any.

        A mention of two or more words that is already registered stays itself.
        """
        if not names:
            return None
        bucket = self._by_last.get(names[-1])
        if bucket is None:
            return None
        n, tail = len(names), tuple(names)
        cands = [r for r in bucket if r.words[-n:] == tail]
        if not cands:
            return None
        exact = [r for r in cands if len(r.words) == n]
        if exact and n >= 2:
            return " ".join(exact[0].words)
        best = max(cands, key=lambda r: (r.score + r.count, -r.first))
        return " ".join(best.words)


#: A run's reading, memoised by its text (see :func:`_read_run`).
_RUNS: dict[str, tuple[int, str, tuple[str, ...], bool] | None] = {}
_UNREAD = (0, "", (), False)


def _read_run(run: str) -> tuple[int, str, tuple[str, ...], bool] | None:
    """What a capitalised run says on its own: None when it is no personal name,
    else the characters of leading non-name capitals to skip, its words joined,
    its name words and whether a title led them.

    Why apart from :meth:`NameRegistry._register`: this part depends on the
    run's text alone, and an article writes the same names again and again.
    """
    skip = 0
    words = [w for w in run.split() if w]
    while words and (words[0] in lx.NON_NAME_CAPS and words[0] not in lx.TITLE_WORDS):
        skip += len(words[0]) + 1
        words.pop(0)
    if not words:
        return None
    if any(w in lx.NON_NAME_CAPS and w not in lx.TITLE_WORDS for w in words[1:]):
        return None  # a headline in title case ("Railing Against Trump"), not a name
    names, titled = _name_tokens(words)
    if len(names) > MAX_NAME_WORDS:
        return None  # "Chris Christie Calls Hillary Clinton": a headline again
    person_titled = titled and len(names) >= 2 and names[0] not in lx.ORG_WORDS
    if not names or (_strip_possessive(words[-1]) in lx.ORG_WORDS and not person_titled):
        return None
    if any(_is_acronym(w) for w in names) or any(w.isupper() and len(w) > 1 for w in names):
        return None
    if len(names) < 2:
        return None  # a surname alone names nobody in full
    return skip, " ".join(words), tuple(names), titled


def _title_roles(words: list[str]) -> set[str]:
    """Role nouns a title stands for ("Sen." -> senator), for "the senator" later.

    >>> sorted(_title_roles(["Sen.", "Ann", "Lee"])), sorted(_title_roles(["President", "X"]))
    (['senator'], ['president'])
    """
    roles = set()
    for w in words:
        if w in lx.TITLE_WORDS:
            low = w.rstrip(".").lower()
            roles.add(lx.TITLE_ROLES.get(low, low))
    return roles


def _by_name_form(surface: str) -> str:
    """A mention reduced to its capitalised tail, without a possessive.

    >>> _by_name_form("Anti-Taliban leader Ahmad Massoud"), _by_name_form("Mr Rumsfeld’s")
    ('Ahmad Massoud', 'Mr Rumsfeld')
    """
    words = surface.split()
    tail: list[str] = []
    for w in reversed(words):
        if not (w[:1].isupper() or w.lower() in lx.NAME_PARTICLES):
            break
        tail.append(w)
    tail.reverse()
    if tail:
        tail[-1] = _strip_possessive(tail[-1])
    return " ".join(tail)


class Article:
    """Mutable resolution state while one article is parsed."""

    def __init__(self, masked: str) -> None:
        self.registry = NameRegistry(masked)
        self.entities: dict[str, Entity] = {}
        self.history: list[str] = []
        self.groups_seen: list[tuple[str, str]] = []

    def entity(self, name: str, kind: str | None, head: str = "") -> Entity:
        """The entity called ``name``, created on first use."""
        ent = self.entities.get(name)
        if ent is None:
            ent = Entity(name, kind, head=head)
            self.entities[name] = ent
        elif ent.kind is None and kind is not None:
            ent.kind = kind
        return ent

    def mentioned(self, name: str | None) -> None:
        """Record that ``name`` was a subject or speaker just now."""
        if name is not None:
            self.history.append(name)

    def _last(self, accept: Callable[[Entity], bool], limit: int = 60) -> Entity | None:
        """Most recent entity in the history that ``accept`` allows."""
        for key in reversed(self.history[-limit:]):
            ent = self.entities[key]
            if accept(ent):
                return ent
        return None

    def resolve(self, m: Mention) -> Entity | None:
        """The entity a mention refers to, or None when it can't be told."""
        if m.form == "pronoun":
            kinds = lx.PRONOUN_KINDS[m.head]
            if m.head in ("it", "they"):
                return self._last(lambda e: e.kind in kinds or e.kind is None)
            # "he" never means a spokeswoman, "she" never a Mr. A bare
            # capitalised name of unknown kind ("Burton explained") may be a
            # person; once "he" or "she" names someone, that is their gender.
            other = "m" if m.head == "she" else "f"
            hit = self._last(
                lambda e: (e.kind in kinds or (e.kind is None and not e.head))
                and e.gender != other
            )
            if hit is not None:
                hit.kind = hit.kind or "person"
                hit.gender = hit.gender or ("f" if m.head == "she" else "m")
            return hit
        if m.form == "member":
            # "One said" picks a member of a recently named group; generic
            # groups ("members", "people") are a last resort.
            recent = self.groups_seen[-20:]
            for generic_ok in (False, True):
                for name, head in reversed(recent):
                    if generic_ok or head not in lx.GENERIC_GROUP_NOUNS:
                        return self.entity(name, "group", head)
            return None
        if m.form == "description":
            return self._resolve_description(m)
        return self._resolve_name(m)

    def _resolve_description(self, m: Mention) -> Entity | None:
        """Bare descriptions ("the man", "the sources") point back; others are new."""
        first_word = m.surface.split()[0].lower()
        if first_word in lx.GROUP_MEMBER_PRONOUNS and m.kind == "person":
            # "one official said" after "Officials said": a member of that group.
            for name, head in reversed(self.groups_seen[-20:]):
                if head in (m.head + "s", m.head + "es"):
                    return self.entity(name, "group", head)
        if m.bare and m.kind == "person" and first_word in lx.INDEFINITE_DETERMINERS:
            # "a friend commented": an indefinite description brings in someone
            # new; only "the friend" points back to a person already named.
            return self.entity(m.name, "person", head=m.head)
        if m.bare and m.kind == "person":
            generic = m.head in lx.GENERIC_PERSON_NOUNS
            if not generic:
                hit = self._last(lambda e: e.kind == "person" and m.head in e.roles)
                if hit is not None:
                    return hit
            hit = self._last(lambda e: e.kind == "person" and e.head == "")
            if hit is not None:
                return hit
            return self.entity(m.head, "person", head=m.head)  # "the girl", named by nobody
        if m.bare and m.kind in ("group", "document", "organisation"):
            hit = self._last(lambda e: e.kind == m.kind and e.head == m.head)
            if hit is None and m.kind == "group":
                for name, head in reversed(self.groups_seen):
                    if head == m.head:
                        return self.entity(name, "group", head)
            if hit is not None:
                hit.add_alias(m.name)
                return hit
        ent = self.entity(m.name, m.kind, head=m.head)
        if ent.kind == "person":
            ent.note_gender(m.name.split())
        return ent

    def _resolve_name(self, m: Mention) -> Entity:
        """Names: surnames and titled forms go to the full name seen in the article."""
        words = m.name.split()
        kind = m.kind
        full = None
        if kind != "organisation":
            full = self.registry.resolve(words)
        surface_words = m.surface.split()
        said = _gender(surface_words)
        known = self.entities.get(full) if full else None
        if known is not None and said and known.gender and known.gender != said:
            full = None  # "Mr. Obama" is not the "Michelle Obama" of "Mrs. Obama"
        name = full or m.name
        if full is not None and kind is None:
            kind = "person"
        ent = self.entity(name, kind)
        if ent.gender is None:
            # What note_gender would read in the surface and role: the surface
            # was read for ``said`` already, so only the role is left to ask.
            ent.gender = said or (_gender([m.role]) if m.role else None)
        if m.role:
            ent.roles.add(m.role)
        if m.titled:
            # "President Obama" is who "the president" is, later on.
            ent.roles.update(_title_roles(surface_words))
        if ent.kind == "person":
            ent.add_alias(_by_name_form(m.surface))
            ent.add_alias(m.name)
        elif m.surface.lower().startswith("the "):
            ent.add_alias(m.surface)
        return ent
