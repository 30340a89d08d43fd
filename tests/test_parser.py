"""Example tables for the rule-based quote parser.

Tables are grouped by provenance:

* ``SEED_SHAPES``: sentence shapes taken from the five seed articles, with the
  names and words changed so that the rules are tested, not the seeds.
* ``WIRE_SHAPES``: shapes written from English news conventions (wire copy,
  British and American styles, inverted attribution, "according to").
* ``NESTING``: quotation marks inside quotations, and unclosed quotations.
* ``NEGATIVES``: scare quotes, titles and apostrophes that are not speech.
* ``KNOWN_MISSES``: shapes the rules get wrong today, as strict xfails.

Each example is ``(text, expected)`` where ``expected`` lists the
non-fragment quotes as ``(quote text, speaker)`` in order.
"""

from __future__ import annotations

import pytest

from quotedb.parser import PARSER_VERSION, find_quote_spans, parse_article


def spoken(text: str) -> list[tuple[str, str | None]]:
    """Non-fragment quotes of ``text`` as (text, speaker) pairs."""
    return [(q.text, q.speaker) for q in parse_article(text).quotes if not q.fragment]


def fragments(text: str) -> list[str]:
    """Texts of the quotes the parser marked as fragments."""
    return [q.text for q in parse_article(text).quotes if q.fragment]


SEED_SHAPES = [
    pytest.param(
        "Interior Minister Laila Haidari said: “We will not negotiate.”",
        [("We will not negotiate.", "Laila Haidari")],
        id="title-name-colon",
    ),
    pytest.param(
        "Colonel Peter Vance, commanding the garrison that guards the port, told *The Herald*: "
        "“We have enough food. We can wait.”",
        [("We have enough food. We can wait.", "Peter Vance")],
        id="appositive-told-italic-outlet",
    ),
    pytest.param(
        "Samir Nadeem, press officer at the embassy in Oslo, said talks continued. "
        "“The families are safe,” he said.",
        [("The families are safe,", "Samir Nadeem")],
        id="pronoun-to-previous-subject",
    ),
    pytest.param(
        "Marta Kowalski said the budget was tight.\n"
        "“We cannot spend what we do not have,” said the woman who has run the fund since 2009.",
        [("We cannot spend what we do not have,", "Marta Kowalski")],
        id="inverted-the-woman-who",
    ),
    pytest.param(
        "Leader Yusuf Karimi has said he is ready to talk.\n"
        "Karimi, son of Abdul Rahim Karimi, said his men would fight.\n"
        "“They are ready,” he stressed.",
        [("They are ready,", "Yusuf Karimi")],
        id="son-of-same-surname",
    ),
    pytest.param(
        "Budget Secretary Carl Mendes said the cuts were final.\n"
        "The city was not ready to pay, he added. “It is our hope that they will pay.\n"
        "“The idea of a new tax is not a happy one.” Mr Mendes would not say more, "
        "but said “We might review it next year.”",
        [
            ("It is our hope that they will pay.\n“The idea of a new tax is not a happy one.",
             "Carl Mendes"),
            ("We might review it next year.", "Carl Mendes"),
        ],
        id="multi-paragraph-then-ellipsis-said",
    ),
    pytest.param(
        "Helen Ashby met Governor Tom Reyes in June.\n"
        "“The river is rising,” Gov Reyes told Ms Ashby.",
        [("The river is rising,", "Tom Reyes")],
        id="told-object-is-not-speaker",
    ),
    pytest.param(
        "When Ms Ashby asked for help, Mr Reyes said the state had been sending boats "
        "“to every town on the river, day and night”.\n"
        "“This is the worst flood in a century.”",
        [
            ("to every town on the river, day and night", "Reyes"),
            ("This is the worst flood in a century.", "Reyes"),
        ],
        id="reported-speech-fragment-then-continuation",
    ),
    pytest.param(
        "Envoy Dana Price has left for Geneva where she will “push both sides to sign the truce "
        "before winter,” the Foreign Office said on Monday.",
        [("push both sides to sign the truce before winter,", "Foreign Office")],
        id="after-beats-earlier-name",
    ),
    pytest.param(
        "“The shelling has not stopped since dawn,” said Ravi Menon, a doctor in Tarin.\n"
        "“Three clinics have closed.”",
        [
            ("The shelling has not stopped since dawn,", "Ravi Menon"),
            ("Three clinics have closed.", "Ravi Menon"),
        ],
        id="continuation-paragraph",
    ),
    pytest.param(
        "Asked what the navy could do, Kane said: “Not much.”\nAdmiral Joe Kane spoke later.",
        [("Not much.", "Joe Kane")],
        id="short-quote-with-cue-and-later-full-name",
    ),
    pytest.param(
        "“The floods grow worse by the day,” said Anne-Marie van der Berg, the agency’s head.",
        [("The floods grow worse by the day,", "Anne-Marie van der Berg")],
        id="name-with-particles",
    ),
    pytest.param(
        "A secret memo sent to London assessed the risks.\n"
        "“The regime is stable for now,” says the memo.\n"
        "The memo urges diplomats to ask Mr Hale “whether the border can be reopened soon”.\n"
        "It also asks them to tell Mr Hale that “a new approach would be welcome”.",
        [
            ("The regime is stable for now,", "secret memo"),
            ("whether the border can be reopened soon", "secret memo"),
            ("a new approach would be welcome", "secret memo"),
        ],
        id="document-speaker-and-it",
    ),
    pytest.param(
        "Defence sources in Paris said the plan was late. Although the allies had objected, "
        "the sources said the delay \"had more to do with Berlin than Rome\".",
        [("had more to do with Berlin than Rome", "Defence sources in Paris")],
        id="the-sources-straight-quotes",
    ),
    pytest.param(
        "Officials declined to comment, but ministers voiced doubts about letting rebel "
        "members go. One said: \"We do not want a massacre, but we cannot let them walk free.\"",
        [("We do not want a massacre, but we cannot let them walk free.", "ministers")],
        id="one-of-the-ministers",
    ),
    pytest.param(
        "In the meeting, “the general referred to the recent visit of the inspectors as proof "
        "of how hard it was to deal with the rebels”.",
        [("the general referred to the recent visit of the inspectors as proof of how hard it "
          "was to deal with the rebels", None)],
        id="long-quote-without-cue-is-unattributed",
    ),
]

WIRE_SHAPES = [
    pytest.param(
        '"We have run out of bandages," said Maria Lopez, a nurse at the clinic.',
        [("We have run out of bandages,", "Maria Lopez")],
        id="straight-inverted-appositive",
    ),
    pytest.param(
        "Maria Lopez, a nurse at the clinic, said: \"We have run out of bandages.\"",
        [("We have run out of bandages.", "Maria Lopez")],
        id="appositive-colon",
    ),
    pytest.param(
        "Prime Minister Ana Ruiz spoke on Friday. “We don’t want war,” she said, "
        "“but we will defend ourselves.”",
        [("We don’t want war,", "Ana Ruiz"), ("but we will defend ourselves.", "Ana Ruiz")],
        id="split-quote",
    ),
    pytest.param(
        "Senator Jane Whitfield said the plan was “a betrayal of every family that trusted us”.",
        [("a betrayal of every family that trusted us", "Jane Whitfield")],
        id="reported-speech-tail",
    ),
    pytest.param(
        "Police Chief Omar Haddad told The Guardian: “Nobody was hurt.”\n"
        "“It is over,” Haddad told reporters.",
        [("Nobody was hurt.", "Omar Haddad"), ("It is over,", "Omar Haddad")],
        id="surname-resolves-to-full-name",
    ),
    pytest.param(
        "Officials said the vote would go ahead. “There is no delay,” one official said.",
        [("There is no delay,", "Officials")],
        id="one-official-of-officials",
    ),
    pytest.param(
        "“The risks are rising,” according to the central bank.",
        [("The risks are rising,", "central bank")],
        id="according-to-after",
    ),
    pytest.param(
        "The report warns: “Without action, the coast will flood.”",
        [("Without action, the coast will flood.", "report")],
        id="document-warns-colon",
    ),
    pytest.param(
        "The company said in a statement: “We regret the error.”",
        [("We regret the error.", "company")],
        id="organisation-noun",
    ),
    pytest.param(
        "‘We are ready,’ the minister said. ‘Nobody doubts it.’",
        [("We are ready,", "minister"), ("Nobody doubts it.", "minister")],
        id="british-single-quotes",
    ),
    pytest.param(
        "Dr Anna Berg said: „Wir sind bereit.“",
        [("Wir sind bereit.", "Anna Berg")],
        id="low-high-quotes",
    ),
    pytest.param(
        "Pierre Martin said: « Nous sommes prêts à discuter. »",
        [("Nous sommes prêts à discuter.", "Pierre Martin")],
        id="guillemets-french-spacing",
    ),
    pytest.param(
        "Coach Tom Reed said: \"We will win.\n\"The season is long.\"\nFans agree.",
        [("We will win.\n\"The season is long.", "Tom Reed")],
        id="straight-multi-paragraph",
    ),
    pytest.param(
        "Lena Fischer said: “He told me ‘never again’ and left.”",
        [("He told me ‘never again’ and left.", "Lena Fischer")],
        id="nested-single-stays-inside",
    ),
    pytest.param(
        "“We are not afraid,” he said.",
        [("We are not afraid,", None)],
        id="unresolvable-pronoun-is-unattributed",
    ),
    pytest.param(
        "Councillor Ann Bright, the cabinet member, spoke. ‘This is about safety,’ she said.",
        [("This is about safety,", "Ann Bright")],
        id="role-word-as-title",
    ),
    pytest.param(
        "“We won,” said Ann Farmer.",
        [("We won,", "Ann Farmer")],
        id="role-word-surname-kept",
    ),
    pytest.param(
        "Its president, Ana Lobo, told radio that the union’s demands would cost "
        "“more than the network can bear”.",
        [("more than the network can bear", "Ana Lobo")],
        id="apposition-and-earlier-cue",
    ),
    pytest.param(
        "Her younger brother, Tom Reyes, a paramedic, spoke first.\n"
        "“We will lose people on that road,” he said.",
        [("We will lose people on that road,", "Tom Reyes")],
        id="apposition-leading-subject",
    ),
    pytest.param(
        "Tom Reyes met the press. “No comment,” a spokeswoman for the firm said.\n"
        "“I am not rich, but I am not stupid,” he said.",
        [("No comment,", "spokeswoman for the firm"),
         ("I am not rich, but I am not stupid,", "Tom Reyes")],
        id="he-skips-a-spokeswoman",
    ),
    pytest.param(
        "“We won,” added coach Paul Reid.",
        [("We won,", "Paul Reid")],
        id="added-coach-name",
    ),
    pytest.param(
        "Ana Lobo founded the press in 2009.\n"
        "Q: Why start then?\n"
        "A: “Because I was stubborn,” Lobo said.\n"
        "Q: And now?\n"
        "A: “Every single one. I still read them.”",
        [("Because I was stubborn,", "Ana Lobo"), ("Every single one. I still read them.",
                                                  "Ana Lobo")],
        id="interview-answers-are-the-interviewee",
    ),
]

#: Quotation marks inside quotations, and a quotation its writer forgot to close.
NESTING = [
    pytest.param(
        "“=SUM(A1) and \"click here\" is what they sent us,” Ms Lee said.",
        [("=SUM(A1) and \"click here\" is what they sent us,", "Lee")],
        id="straight-inside-curly",
    ),
    pytest.param(
        "“Commas, “inner” quotes, and more,” said Ann Lee.",
        [("Commas, “inner” quotes, and more,", "Ann Lee")],
        id="curly-inside-curly",
    ),
    pytest.param(
        "“Commas, “inner quotes, and more,” said Ann Lee.",
        [("Commas, “inner quotes, and more,", "Ann Lee")],
        id="inner-left-open-outer-closes-before-attribution",
    ),
    pytest.param(
        "Ann Lee said “we forgot to close. Then “Yes,” said Bo Chan.",
        [("we forgot to close. Then", "Ann Lee"), ("Yes,", "Bo Chan")],
        id="outer-left-open-before-a-new-sentence",
    ),
    pytest.param(
        "Li Wei said: “One day we will win.\n\n“Until then we wait,” he added.",
        [("One day we will win.\n\n“Until then we wait,", "Li Wei")],
        id="reopened-paragraph-is-one-quote",
    ),
]

NEGATIVES = [
    pytest.param("She called the camp a ‘safe haven’ for smugglers.", ["safe haven"], id="scare"),
    pytest.param('The ministry warned of a "meltdown" in the markets.', ["meltdown"],
                 id="scare-straight"),
    pytest.param("He has read “War and Peace” twice.", ["War and Peace"], id="title"),
    pytest.param("The deal was, he said, a “rotten deal” for the town.", ["rotten deal"],
                 id="short-in-reported-speech"),
    pytest.param("It was rock 'n' roll in the '90s, and Wallace’s band weren’t famous.", [],
                 id="apostrophes"),
    pytest.param("The fighters’ weapons and the residents’ homes were lost.", [],
                 id="plural-possessives"),
    pytest.param("They’re sure it’s the ’80s again.", [], id="curly-apostrophes"),
]

KNOWN_MISSES = [
    pytest.param(
        "US envoy for Peru Zalmay Hart said: “Talks will resume.”",
        [("Talks will resume.", "Zalmay Hart")],
        id="role-with-place-before-name",
        marks=pytest.mark.xfail(strict=True, reason="caps run swallows the place name"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), SEED_SHAPES)
def test_seed_shapes(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert spoken(text) == expected


@pytest.mark.parametrize(("text", "expected"), WIRE_SHAPES)
def test_wire_shapes(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert spoken(text) == expected


@pytest.mark.parametrize(("text", "expected"), NESTING)
def test_nesting(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert spoken(text) == expected


@pytest.mark.parametrize(("text", "expected"), NEGATIVES)
def test_negatives_are_not_speech(text: str, expected: list[str]) -> None:
    assert spoken(text) == []
    assert fragments(text) == expected


@pytest.mark.parametrize(("text", "expected"), KNOWN_MISSES)
def test_known_misses(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert spoken(text) == expected


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        pytest.param("“Go,” he said. Jo Bell said so.\n“Go,” Jo Bell added.", "added", id="added"),
        pytest.param("Jo Bell warned: “Go now.”", "warned", id="warned"),
        pytest.param("“Go now,” urges Jo Bell.", "urges", id="urges"),
        pytest.param("“Go now,” according to Jo Bell.", "according to", id="according-to"),
    ],
)
def test_cue_recorded_as_written(text: str, cue: str) -> None:
    assert parse_article(text).quotes[-1].cue == cue


def test_speaker_aliases_and_kinds() -> None:
    art = parse_article(
        "Defence Secretary Donald Reed spoke. Mr Reed said: “No.”\n"
        "“Yes,” Reed said.\n“Maybe,” the State Department said."
    )
    speakers = {s.name: s for s in art.speakers}
    assert speakers["Donald Reed"].kind == "person"
    assert set(speakers["Donald Reed"].aliases) >= {"Mr Reed", "Reed"}
    assert speakers["State Department"].kind == "organisation"


def test_boilerplate_is_never_a_quote() -> None:
    text = "Back to top button\nSEE ALSO:\nAmy Lo said: “We won.”\nRelated Articles\n"
    assert spoken(text) == [("We won.", "Amy Lo")]


def test_unbalanced_quote_stays_in_its_paragraph() -> None:
    text = 'Ann Lee said "the vote is rigged\nThe count went on.\n"It was fair," Bo Chan said.'
    quotes = parse_article(text).quotes
    assert quotes[0].text == "the vote is rigged"
    assert (quotes[-1].text, quotes[-1].speaker) == ("It was fair,", "Bo Chan")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("\x00\xff\ufffd", id="junk"),
        pytest.param('"' * 3001, id="many-straight"),
        pytest.param("“" * 2000 + "”" * 1999, id="many-curly"),
        pytest.param("‘’'" * 1000, id="many-single"),
        pytest.param("“a” " * 5000, id="many-short-quotes"),
        pytest.param('He said "' + "word " * 200_000, id="one-mb-paragraph"),
    ],
)
def test_never_raises_and_offsets_hold(text: str) -> None:
    art = parse_article(text)
    end = -1
    for q in art.quotes:
        assert text[q.start : q.end] == q.text
        assert q.start >= end
        end = q.end


def test_deterministic() -> None:
    text = "“We won,” said Amy Lo, a coach.\n“Again,” she added."
    assert parse_article(text) == parse_article(text)


def test_find_quote_spans_multi_paragraph_offsets() -> None:
    text = "Li said: “One.\n\n“Two.”"
    [span] = find_quote_spans(text)
    assert text[span.start : span.end] == "One.\n\n“Two."
    assert text[span.end] == "”"


def test_parser_version_is_a_string() -> None:
    assert isinstance(PARSER_VERSION, str) and PARSER_VERSION
