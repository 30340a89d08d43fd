# ruff: noqa: E501 - verbatim quotations from the articles, split only where readable
"""Rebuild ``gold.jsonl`` for the held-out articles from the annotations below.

The annotations were written by reading each article as a careful human reader
would, before the parser was tuned on them. ``start`` offsets are computed
here, so the quote texts must occur verbatim (and once) in their article.

    python tests/data/heldout/make_gold.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: (quote text, speaker, aliases, optional) per article file.
Gold = tuple[str, str | None, list[str], bool]

ANNOTATIONS: dict[str, list[Gold]] = {
    "h01_wire_drought.txt": [
        ("We have never been this close to the bottom,", "Teresa Alvarado", ["Alvarado"], False),
        ("Every household is going to feel this.", "Teresa Alvarado", ["Alvarado"], False),
        (
            "This is not a problem we can engineer our way out of overnight,",
            "Daniel Whitaker",
            ["Whitaker", "Gov. Daniel Whitaker"],
            False,
        ),
        ("It will take all of us.", "Daniel Whitaker", ["Whitaker"], False),
        ("You can't grow anything on a promise,", "Ray Okonjo", ["Okonjo"], False),
        ("The water's either there or it isn't.", "Ray Okonjo", ["Okonjo"], False),
        (
            "The reservoir has been a savings account, and we have been spending the principal,",
            "Priya Raman",
            ["Raman", "Dr. Priya Raman"],
            False,
        ),
        ("rethink how we price water, not just how we store it.", "Priya Raman", ["Raman"], False),
        ("Cities keep growing and farmers keep paying,", "Michael Carver", ["Carver"], False),
    ],
    "h02_british_bypass.txt": [
        (
            "ignoring the people who actually live here",
            "Residents",
            ["Residents of a Shropshire village"],
            True,
        ),
        ("This is about safety,", "Graham Pettifer", ["Pettifer", "Mr Pettifer"], False),
        (
            "Children walk to school along a road that was never built for articulated lorries.",
            "Graham Pettifer",
            ["Pettifer", "Mr Pettifer"],
            False,
        ),
        (
            "You cannot replant a 400-year-old woodland,",
            "Fiona Marsh",
            ["Marsh", "Dr Marsh"],
            False,
        ),
        ("Once it’s gone, it’s gone.", "Fiona Marsh", ["Marsh", "Dr Marsh"], False),
        ("an act of vandalism", "Alan Whitcombe", ["Sir Alan Whitcombe", "Whitcombe"], True),
        (
            "The public inquiry process exists precisely for cases like this one.",
            "Pembury",
            ["Lord Pembury"],
            False,
        ),
        (
            "Half my customers want the lorries gone tomorrow and the other half are chaining "
            "themselves to the trees,",
            "Joanna Price",
            ["Price", "Ms Price", "Ms Joanna Price"],
            False,
        ),
        (
            "I just want everyone to stop shouting at each other.",
            "Joanna Price",
            ["Price", "Ms Joanna Price"],
            False,
        ),
        (
            "The cabinet considered all of the evidence, including more than 1,200 consultation "
            "responses, before reaching its decision.",
            "council spokesman",
            ["spokesman", "A council spokesman"],
            False,
        ),
    ],
    "h03_longform_hospital.txt": [
        (
            "People keep asking me what I'm going to do next, and I honestly don't know,",
            "Linda Haskins",
            [],
            False,
        ),
        (
            "I've never done anything else. This place was my whole life.\n\n\"My mother worked "
            "here. My daughter was born here. I don't know how you walk away from that.",
            "Linda Haskins",
            [],
            False,
        ),
        ("We're going to lose people on that road,", "Tom Haskins", [], False),
        (
            "That's not a maybe. I've done the math, and so has everybody else.",
            "Tom Haskins",
            [],
            False,
        ),
        (
            "We explored every option available to us, including a sale, a merger and a "
            "reduced-service model,",
            "Appalachian Health Partners",
            ["company"],
            False,
        ),
        (
            "None of them would have allowed us to operate safely.",
            "Appalachian Health Partners",
            ["company"],
            False,
        ),
        (
            "What we see, again and again, is that the closure of a hospital is not just a health "
            "event,",
            "Ellen Vasquez",
            ["Vasquez", "Dr. Ellen Vasquez"],
            False,
        ),
        (
            "It is an economic event. The hospital is often the largest employer in the county, and "
            "when it goes, the pharmacy goes, the clinic goes, and young families start to leave.",
            "Ellen Vasquez",
            ["Vasquez"],
            False,
        ),
        ("I'm not going to pretend that fixes it,", "Carla Dunning", ["Dunning"], False),
        (
            "But it's something, and right now something is better than what these families have.",
            "Carla Dunning",
            ["Dunning"],
            False,
        ),
        ("I'll do it right to the end,", "Linda Haskins", [], False),
        ("Somebody's got to.", "Linda Haskins", [], False),
    ],
    "h04_release_robotics.txt": [
        (
            "These are difficult decisions that affect talented colleagues, and we did not make "
            "them lightly,",
            "Sandra Okafor",
            ["Okafor"],
            False,
        ),
        (
            "Demand for automation remains strong over the long term, but our customers are taking "
            "longer to commit to large capital projects,",
            "Northwind Robotics",
            ["Northwind Robotics Inc", "Northwind", "company"],
            False,
        ),
        (
            "They over-hired in 2021 and 2022 when every retailer wanted robots yesterday,",
            "Jordan Feld",
            ["Feld"],
            False,
        ),
        ("This is a correction, not a collapse.", "Jordan Feld", ["Feld"], False),
        (
            "Our members built this company's products through the pandemic,",
            "International Association of Machinists",
            ["union"],
            False,
        ),
        (
            "They deserve more than two weeks' notice.",
            "International Association of Machinists",
            ["union"],
            False,
        ),
        (
            "I owe our team answers, and I will give them in person,",
            "Sandra Okafor",
            ["Okafor"],
            False,
        ),
    ],
    "h05_court_charity.txt": [
        (
            "This was not a moment of weakness. It was a sustained and carefully concealed deception "
            "of an organisation that helps sick children.",
            "Helen Marsh",
            ["Marsh"],
            False,
        ),
        (
            "consumed by an addiction he did not understand",
            "Rupert Ellis",
            ["Ellis", "Mr Ellis"],
            False,
        ),
        ("He is deeply ashamed,", "Rupert Ellis", ["Ellis", "Mr Ellis"], False),
        (
            "He does not ask the court for sympathy, only for understanding.",
            "Rupert Ellis",
            ["Ellis", "Mr Ellis"],
            False,
        ),
        (
            "You took money that was given in good faith by ordinary people, many of whom could ill "
            "afford it,",
            "Caroline Hart",
            ["Hart", "judge", "Judge Caroline Hart"],
            False,
        ),
        (
            "The harm you have caused goes far beyond the sums involved.",
            "Caroline Hart",
            ["Hart", "judge"],
            False,
        ),
        ("devastated", "Anita Desai", ["Desai"], True),
        (
            "We have rebuilt our finances with the help of an extraordinary community, and we are "
            "looking to the future,",
            "Anita Desai",
            ["Desai"],
            False,
        ),
    ],
    "h06_sport_rovers.txt": [
        ("I had my eyes closed for half of the second half,", "Steve Harding", ["Harding"], False),
        (
            "When it went in, I didn't know whether to laugh or cry.",
            "Steve Harding",
            ["Harding"],
            False,
        ),
        (
            "The gaffer told me to go and stand at the back post and be brave,",
            "Kwame Mensah",
            ["Mensah"],
            False,
        ),
        ("So that's what I did.", "Kwame Mensah", ["Mensah"], False),
        ("He's got a great leap on him, that lad,", "Paul Reid", ["Reid"], False),
        ("We see it every day in training.", "Paul Reid", ["Reid"], False),
        (
            "It's a clear foul. Everybody in the ground saw it except the one man who matters,",
            "Tony Baxter",
            ["Baxter"],
            False,
        ),
        (
            "I'm not going to say any more than that or I'll get myself in trouble.",
            "Tony Baxter",
            ["Baxter"],
            False,
        ),
        ("Ask me in three weeks,", "Steve Harding", ["Harding"], False),
    ],
    "h07_interview_publisher.txt": [
        ("We built it for ourselves first", "Dana Whitford", ["Whitford"], True),
        ("Because I was unemployed and stubborn,", "Dana Whitford", ["Whitford"], False),
        (
            "Honestly, nobody else was going to publish the books I wanted to read, so I decided to "
            "do it myself.",
            "Dana Whitford",
            ["Whitford"],
            False,
        ),
        (
            "Distribution. You can make a beautiful book, but if it isn’t in the shops, it doesn’t "
            "exist.",
            "Dana Whitford",
            ["Whitford"],
            False,
        ),
        (
            "We lost money on every title for the first three years.",
            "Dana Whitford",
            ["Whitford"],
            False,
        ),
        (
            "Every single one. My editors think I’m mad. But the day I stop reading them is the day "
            "I stop knowing what this company is for.",
            "Dana Whitford",
            ["Whitford"],
            False,
        ),
        ("Dana is the heart and I’m the spreadsheet,", "Greg Whitford", [], False),
        ("It works because we never pretend to be each other.", "Greg Whitford", [], False),
        (
            "Find the thing that only you would make. Then make it cheaply.",
            "Dana Whitford",
            ["Whitford"],
            False,
        ),
    ],
    "h08_guillemets_metro.txt": [
        (
            "We are not asking for the moon, we are asking for the staff we were promised,",
            "Karim Benali",
            ["Benali"],
            False,
        ),
        (
            "more than the network can bear without raising fares",
            "Hélène Vautrin",
            ["Vautrin"],
            False,
        ),
        (
            "Every day this goes on, it is the people who clean offices at five in the morning who "
            "pay the price,",
            "Claire Dubois",
            ["Dubois"],
            False,
        ),
        ("I trust the parties to find an agreement,", "Jean-Luc Mercier", ["Mercier"], False),
        ("The state will not intervene.", "Jean-Luc Mercier", ["Mercier"], False),
        ("I walk 40 minutes each way now,", "Amélie Roux", ["Roux"], False),
        ("My feet hate the union, but my head understands them.", "Amélie Roux", ["Roux"], False),
    ],
    "h09_german_tenants.txt": [
        ("a warning shot to the whole industry", "housing campaigners", ["campaigners"], True),
        ("The landlord simply assumed that nobody would check,", "Katrin Weber", ["Weber"], False),
        ("We checked.", "Katrin Weber", ["Weber"], False),
        (
            "We continue to believe that our billing was lawful and transparent,",
            "Wohnbau Nord",
            [
                "Wohnbau Nord GmbH",
                "company",
                "spokeswoman for the company",
                "a spokeswoman for the company",
            ],
            False,
        ),
        (
            "I am not rich — I live on a pension — but I am not stupid either,",
            "Jonas Albrecht",
            [],
            False,
        ),
        ("When the bill doubled, I knew something was wrong.", "Jonas Albrecht", [], False),
        ("My brother complained to everyone who would listen,", "Ingrid Albrecht", [], False),
        ("I was the one who wrote the letters.", "Ingrid Albrecht", [], False),
    ],
    "h10_senate_rail.txt": [
        ("furious but not surprised.", "Laura Brandt", ["Brandt"], True),
        (
            "We have had two years of hearings, two derailments and more promises than I can count,",
            "Laura Brandt",
            ["Brandt"],
            False,
        ),
        (
            "And now one senator — one — decides that none of it matters.",
            "Laura Brandt",
            ["Brandt"],
            False,
        ),
        ("unworkable", "Wade Tillman", ["Tillman"], True),
        (
            "I support rail safety. Everybody supports rail safety,",
            "Wade Tillman",
            ["Tillman"],
            False,
        ),
        (
            "What I don’t support is Washington telling a railroad in Billings how many people to "
            "put on a train.",
            "Wade Tillman",
            ["Tillman"],
            False,
        ),
        ("a gift to the railroad lobby.", "Marcus Hale", ["Hale"], False),
        (
            "The industry has invested billions in new technology,",
            "Association of American Railroads",
            ["group"],
            False,
        ),
        (
            "and we believe those investments should guide any new rules.",
            "Association of American Railroads",
            ["group"],
            False,
        ),
        ("They keep telling us help is coming,", "Pam Ricci", ["Ricci"], False),
        ("It never comes.", "Pam Ricci", ["Ricci"], False),
        ("go bags", None, [], True),
        (
            "Every time a train horn sounds at night, my kids wake up,",
            "Megan",
            ["Megan Ricci", "Ricci’s daughter, Megan"],
            False,
        ),
    ],
}


def build() -> list[dict[str, object]]:
    """One gold record per article, offsets computed from the article text."""
    records = []
    for name, quotes in ANNOTATIONS.items():
        text = (HERE / name).read_text(encoding="utf-8")
        out = []
        for quote, speaker, aliases, optional in quotes:
            start = text.find(quote)
            if start < 0 or text.find(quote, start + 1) >= 0:
                raise SystemExit(f"{name}: quote not found exactly once: {quote!r}")
            out.append(
                {
                    "text": quote,
                    "speaker": speaker,
                    "aliases": aliases,
                    "optional": optional,
                    "start": start,
                }
            )
        records.append({"article": name, "quotes": out})
    return records


if __name__ == "__main__":
    lines = [json.dumps(r, ensure_ascii=False) for r in build()]
    (HERE / "gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} articles")
