"""Word lists the rule-based parser reads: cue verbs, titles, pronouns, nouns.

They live apart from the rules (as price-parser keeps ``_currencies.py``) so a
reviewer can extend a list without touching a regular expression. Every list
is lower-case unless it says otherwise; matching is done case-insensitively
where the parser says so. Nothing here comes from a particular article: these
are the conventions of English-language news prose.
"""

from __future__ import annotations

#: Reporting verbs that introduce or follow a direct quotation, as written.
#: Base forms ("say", "tell", "ask") are left out on purpose: "would not say",
#: "to ask X" are not speech acts by the clause subject. "say" (plural present)
#: is handled separately in :data:`PLURAL_PRESENT_CUES`.
CUE_VERBS: frozenset[str] = frozenset(
    """
    said says told tells added adds stressed stresses asked asks warned warns
    insisted insists noted notes urged urges explained explains replied replies
    claimed claims stated states declared declares announced announces
    admitted admits argued argues continued continues recalled recalls
    confirmed confirms acknowledged acknowledges suggested suggests
    reiterated reiterates wrote writes tweeted tweets posted
    emphasised emphasized emphasises emphasizes concluded concludes
    complained complains cautioned cautions predicted predicts vowed vows
    promised promises demanded demands conceded concedes observed observes
    remarked remarks responded responds commented comments joked jokes
    shouted shouts answered answers insisted pleaded pleads boasted boasts
    countered counters conceded revealed reveals alleged alleges
    maintained maintains contended contends agreed agrees
    whispered whispers yelled screamed cried sighed mused quipped
    assured assures reminded reminds pointed
    sings sang sung scolded scolds echoed echoes blurted fumed fumes snapped
    snaps charged charges asserted asserts reported reports reads
    testified testifies recounted recounts explained wondered wonders
    lamented laments conceded retorted retorts interjected exclaimed
    exclaims marveled marvelled chimed chuckled laughed laughs groaned
    muttered mutters murmured stammered gushed raved ranted blasted blasts
    slammed slams praised praises thundered begged begs pleaded
    proclaimed proclaims affirmed affirms advised advises cautioned
    offered offers summed elaborated elaborates yells screams cries
    sighs mumbled mumbles hollered boomed beamed ventured recalled whimpered
    whimpers sobbed sobs gasped gasps growled growls hissed hisses
    """.split()
)

#: Verbs of thinking: a quotation they introduce is a thought, not speech
#: ("“Why am I doing this?” she thought").
THOUGHT_VERBS: frozenset[str] = frozenset(
    "thought thinks think imagined imagines dreamed dreamt dreams".split()
)

#: Present participles that report the clause subject's words ("X hit back,
#: saying, “…”"): the speaker is the subject of the clause they hang on.
PARTICIPLE_CUES: frozenset[str] = frozenset(
    """
    saying adding writing tweeting posting telling asking noting declaring
    insisting arguing explaining warning asserting stating claiming
    responding replying answering announcing calling urging quipping joking
    singing shouting yelling chanting recalling concluding continuing
    exclaiming vowing promising pleading demanding complaining
    """.split()
)

#: Present-tense plural cues that only count when not after a modal or "to"
#: ("officials say" yes, "would not say" no).
PLURAL_PRESENT_CUES: frozenset[str] = frozenset(
    {"say", "tell", "warn", "insist", "claim", "reply", "write", "argue", "sing", "ask"}
)

#: Words that cancel a following base-form cue ("would not say", "to tell").
CUE_BLOCKERS: frozenset[str] = frozenset(
    "to not never would will could should might may must can cannot did does do "
    "n't didn't won't wouldn't".split()
)

#: Auxiliaries and adverbs that may sit between a subject and its cue verb
#: ("Kirby further said", "has repeatedly said").
AUX_AND_ADVERBS: frozenset[str] = frozenset(
    """
    has have had is was were also further later earlier then again once
    repeatedly previously separately recently simply just reportedly
    publicly privately only already since subsequently yesterday today
    finally quickly flatly firmly bluntly angrily calmly quietly openly
    candidly frankly curtly tersely proudly loudly softly bitterly sharply
    immediately initially eventually ultimately often frequently never
    """.split()
)

#: Honorifics and titles stripped from the front of a person's name
#: (case-sensitive, as written in news copy). Multi-word titles are handled
#: word by word: every word of "Defence Secretary" is listed.
TITLE_WORDS: frozenset[str] = frozenset(
    """
    Mr Mr. Mrs Mrs. Ms Ms. Miss Dr Dr. Prof Prof. Professor Sir Dame Lord Lady
    Gen Gen. General Lt Lt. Lieutenant Col Col. Colonel Maj Maj. Major Capt
    Capt. Captain Cmdr Commander Adm Admiral Brig Brigadier Sgt Sergeant
    Marshal Field Air Vice Rear Chief Staff
    President Vice-President Premier Prime Minister Secretary Senator Sen Sen.
    Rep Rep. Reps Reps. Sens Sens. Representative Congressman Congresswoman Governor Gov Gov. Mayor
    Ambassador Envoy Special Deputy Under Assistant Acting Interim Former
    Foreign Defence Defense Interior Home Finance Justice Health Education
    Trade Energy Treasury State Cabinet Chancellor Attorney Solicitor
    Spokesman Spokeswoman Spokesperson Judge Justice King Queen Prince Princess
    Emir Sheikh Sultan Pope Cardinal Bishop Archbishop Rev Rev. Reverend Father
    Rabbi Imam Mullah Maulana Mufti Ayatollah Commissioner Chairman Chairwoman
    Chair Director Inspector Superintendent Constable Detective Officer
    Leader Speaker MP MEP Sheikha Coach Manager Captain Del Del. Delegate
    Assemblyman Assemblywoman Councilman Councilwoman Sheriff Lt.-Gen
    Chancellor Vice-Chancellor Minority Majority Whip
    Democratic Republican Labour Conservative Liberal
    """.split()
)

#: Short words a title in Title Case leaves in lower case ("Legend in the Coal Fields").
TITLE_FUNCTION_WORDS: frozenset[str] = frozenset(
    "a an the and or but nor of in on at to for with by from as vs is are".split()
)

#: Abbreviated titles and the role noun a later description uses ("Sen.
#: Lee" ... "the senator said").
TITLE_ROLES: dict[str, str] = {
    "sen": "senator", "rep": "representative", "gov": "governor", "gen": "general",
    "col": "colonel", "capt": "captain", "lt": "lieutenant", "sgt": "sergeant",
    "prof": "professor", "dr": "doctor", "del": "delegate", "adm": "admiral",
    "maj": "major", "cmdr": "commander", "rev": "reverend",
}

#: Lower-case role nouns that describe a single person ("the spokesman",
#: "an aide", "a Taliban official"): such a subject is a person.
PERSON_ROLES: frozenset[str] = frozenset(
    """
    man woman boy girl person spokesman spokeswoman spokesperson official aide
    minister secretary president commander general leader lawmaker legislator
    senator engineer doctor resident witness source diplomat analyst expert
    officer soldier fighter farmer teacher student mother father son daughter
    wife husband brother sister owner chief director chairman chairwoman head
    representative envoy ambassador governor mayor adviser advisor attaché
    attache colleague lawyer attorney judge prosecutor activist researcher
    professor economist journalist reporter editor survivor victim driver
    worker employee manager executive founder partner politician candidate
    negotiator mediator commentator observer militant insurgent refugee
    villager shopkeeper nurse surgeon pilot captain colonel sergeant
    chair chairperson coach player striker goalkeeper midfielder defender
    referee substitute paramedic councillor councilor prosecutor
    host anchor columnist correspondent pundit strategist pollster historian
    widow widower mom dad veteran author co-author scientist physician
    cardiologist oceanographer narrator announcer annotator stranger
    businessman businesswoman rookie actor actress singer rapper musician
    artist writer novelist filmmaker director producer comedian presenter
    broadcaster blogger commissioner sheriff delegate congressman
    congresswoman nominee contender challenger incumbent chancellor dean
    principal pastor priest bishop rabbi imam monk nun psychologist
    psychiatrist therapist sociologist demographer statistician spokesperson
    supporter opponent critic voter donor lobbyist consultant accountant
    banker investor trader entrepreneur ceo chef waiter owner landlord
    tenant neighbor neighbour friend cousin uncle aunt nephew niece
    grandmother grandfather grandson granddaughter girlfriend boyfriend
    fiancé fiancee fiancée protester protestor demonstrator marcher
    organizer organiser volunteer coordinator administrator superintendent
    inspector investigator detective agent trooper deputy ranger firefighter
    """.split()
)

#: Capitalised role words that act as a title before a name ("Councillor
#: Graham Pettifer", "Chief Executive Sandra Okafor", "Substitute Kwame
#: Mensah"), beyond :data:`TITLE_WORDS`. Only a title when a name follows:
#: "Ann Farmer" keeps her surname.
ROLE_TITLES: frozenset[str] = frozenset(
    """
    councillor councilor alderman executive prosecutor substitute striker
    midfielder defender goalkeeper winger skipper quarterback pitcher
    coach trainer manager chairman chairwoman chair founder
    """.split()
)

#: Role nouns and titles that say a person is a woman or a man, so that "she"
#: and "he" skip the other ("a spokeswoman ... „…“ he said" is not hers).
FEMALE_WORDS: frozenset[str] = frozenset(
    """
    woman girl spokeswoman chairwoman congresswoman businesswoman sister mother
    daughter wife widow aunt niece grandmother granddaughter actress mrs ms
    miss lady dame queen princess sheikha
    """.split()
)
MALE_WORDS: frozenset[str] = frozenset(
    """
    man boy spokesman chairman congressman businessman brother father son
    husband widower uncle nephew grandfather grandson actor mr sir lord king
    prince sheikh
    """.split()
)

#: Plural nouns for groups of people ("ministers", "officials", "the sources").
GROUP_NOUNS: frozenset[str] = frozenset(
    """
    ministers officials sources residents witnesses diplomats analysts experts
    officers soldiers fighters lawmakers legislators senators leaders aides
    spokesmen spokespeople observers critics activists protesters protestors
    villagers doctors nurses workers employees executives investigators
    prosecutors lawyers police authorities commanders militants insurgents
    refugees families parents students teachers people negotiators mediators
    campaigners supporters opponents members organisers organizers voters
    researchers scientists economists journalists reporters survivors victims
    relatives neighbours neighbors elders clerics locals citizens
    """.split()
)

def _plural(noun: str) -> str:
    """English plural of a role noun ("spokesman" -> "spokesmen", "deputy" -> "deputies")."""
    if noun.endswith("man"):
        return noun[:-3] + "men"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "sh", "ch", "x")):
        return noun + "es"
    return noun + "s"


#: Role nouns whose plural is also a common verb ("X heads the unit"): they
#: are not made group nouns.
_VERB_LIKE_PLURALS = frozenset("head chair host author judge coach partner pilot".split())

# Every plural of a person role names a group too ("the annotators said").
GROUP_NOUNS = GROUP_NOUNS | frozenset(
    _plural(r) for r in PERSON_ROLES if r not in _VERB_LIKE_PLURALS and " " not in r
)


#: Group nouns too vague to stand for a speaking group on their own: "One
#: said" prefers "ministers" over an intervening "al-Qaeda members".
GENERIC_GROUP_NOUNS: frozenset[str] = frozenset(
    "members people families parents citizens locals victims relatives".split()
)

#: Lower-case nouns for organisations ("the company said", "the ministry said").
ORG_NOUNS: frozenset[str] = frozenset(
    """
    company firm government ministry department agency army military party
    bank court council committee embassy group organisation organization
    charity union campaign coalition alliance administration office
    commission authority regulator airline hospital university school
    newspaper network broadcaster club team board institute foundation
    """.split()
)

#: Person nouns too vague to be a speaker's name on their own ("the man").
GENERIC_PERSON_NOUNS: frozenset[str] = frozenset("man woman person boy girl".split())

#: Nouns for written or recorded sources that "say" things ("says the
#: message", "The cable urges").
DOCUMENT_NOUNS: frozenset[str] = frozenset(
    """
    message cable memo memorandum report statement letter document email
    e-mail tweet post note notice communique communiqué dispatch telegram
    editorial article study survey filing ruling verdict judgment judgement
    indictment complaint lawsuit transcript briefing release bulletin
    announcement guidance directive order decree manifesto resolution
    assessment analysis review audit paper book diary blog website account
    """.split()
)

#: Capitalised words that mark a name as an organisation (case-sensitive).
ORG_WORDS: frozenset[str] = frozenset(
    """
    Department Ministry Office Agency Council Committee Commission Alliance
    Embassy Consulate Government Administration Army Navy Force Forces Police
    Party Parliament Congress Senate Assembly Court Bank Fund Organisation
    Organization Association Union Federation Institute Foundation Centre
    Center University College School Hospital Company Corporation Corp Inc
    Ltd Group Network Times Post News Press Agency Reuters Journal Herald
    Guardian Telegraph Mail Tribune Gazette Daily Observer Service Services
    Authority Board Bureau Secretariat Movement Front Taliban Pentagon Kremlin
    Street House Palace Hall Nations States Kingdom Republic Union Command
    Coalition Mission Directorate Cabinet Church Club League Society Trust
    Airways Airlines Agency Radio TV Television Broadcasting Channel
    """.split()
)

#: Personal pronouns a speaker can be referred to by, with the kind they need.
PRONOUN_KINDS: dict[str, tuple[str, ...]] = {
    "he": ("person",),
    "she": ("person",),
    "it": ("organisation", "document"),
    "they": ("group", "organisation"),
}

#: Pronouns that say a person is a man or a woman ("Trump revised his plan").
MALE_PRONOUNS: frozenset[str] = frozenset("he him his himself".split())
FEMALE_PRONOUNS: frozenset[str] = frozenset("she her hers herself".split())

#: Numeral pronouns that pick one member of a just-mentioned group
#: ("ministers voiced misgivings. One said: ...").
GROUP_MEMBER_PRONOUNS: frozenset[str] = frozenset({"one", "another"})

#: Determiners that may open a noun phrase.
DETERMINERS: frozenset[str] = frozenset(
    "the a an this that these those its his her their our one another some several "
    "two three four many".split()
)

#: Determiners that bring in someone new ("a friend said"), never someone named before.
INDEFINITE_DETERMINERS: frozenset[str] = frozenset("a an some another".split())

#: Lower-case modifiers allowed inside a descriptive noun phrase
#: ("a key Northern Alliance commander", "the secret message").
NP_MODIFIERS: frozenset[str] = frozenset(
    """
    key senior top former late local chief deputy acting interim foreign
    leading veteran retired separate secret confidential internal classified
    government security defence defense military police intelligence press
    foreign-policy official unnamed anonymous other second third new latest
    earlier previous british american us uk un eu afghan pakistani russian
    chinese indian iranian israeli palestinian french german european western
    then young old elderly visiting regional provincial district national
    federal state senior-level high-ranking central
    private public
    """.split()
)

#: Prepositions that may join parts of one noun phrase ("an aide to X",
#: "sources in London", "head of Y").
NP_PREPOSITIONS: frozenset[str] = frozenset("of to for in at from with on".split())

#: Lower-case name particles inside personal names ("Hervé de Lys", "bin Laden",
#: "Zia ul Haq"): the one list the parser and the byline reader share.
#: Not "do" (Portuguese "Lula do Brasil"): in English copy it is the verb.
NAME_PARTICLES: frozenset[str] = frozenset(
    """
    al el bin ibn bint abu ul ud
    de da di du del della der den dos das la le ter van von y
    """.split()
)

#: Relation words: a name after "son of" etc. is not the clause subject.
RELATION_NOUNS: frozenset[str] = frozenset(
    "son daughter father mother brother sister wife husband widow nephew niece "
    "uncle aunt cousin grandson granddaughter".split()
)

#: Capitalised words that start sentences or clauses but are not names.
NON_NAME_CAPS: frozenset[str] = frozenset(
    """
    The A An This That These Those It Its He She They We I You His Her Their
    Our My Your In On At For From With By To Of As But And Or So If When While
    Although Though Because Since After Before Until During Under Over Only
    However Meanwhile Earlier Later Asked Speaking Yesterday Today Tomorrow
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February
    March April May June July August September October November December
    Why What Who Where How Which There Here Also Still Yet Now Then Even One
    Some Many Most All Both Each Every No Not Another Other Such Several
    According Despite Among Amid Against Without Within Into Upon Instead
    Asked Told Said Mr Mrs Ms Dr Note Please Published Copyright Reuters
    Once Besides Nonetheless Nevertheless Moreover Furthermore Indeed Perhaps
    Maybe Finally Afterward Afterwards Sometimes Often Together Again Already
    Soon Recently Initially Ultimately Eventually Currently Separately
    Similarly Likewise Otherwise Overall Thus Hence Therefore Unlike Like
    Whether Whatever Whenever Wherever Nobody Everyone Everybody Someone
    Anyone Nothing Everything Something Story Advertisement Related Read
    Watch Click Sign Subscribe Share Photo Video Image Caption Updated
    Ultimately Chastened Hours Days Weeks Months Years Last Next First
    """.split()
)

#: Clause-boundary words: a subject noun phrase never reaches back past them.
CLAUSE_BOUNDARIES: frozenset[str] = frozenset(
    """
    that which who whom whose when while where because if as but and or so
    since although though after before until unless whether than then
    however meanwhile yet nor
    """.split()
)

#: Words opening a leading adverbial phrase that ends at the first comma
#: ("Only yesterday, X questioned", "In his press conference, X said").
ADVERBIAL_OPENERS: frozenset[str] = frozenset(
    """
    in on at during after before since until under over only asked speaking
    when while although though because if as earlier later yesterday today
    meanwhile however but and so still yet also then now instead despite
    amid among according with without for from to by following separately
    once whenever unless whereas wherever
    back outside inside across along around behind near beside last next
    """.split()
)

#: Conjunctions that may open a sentence before its subject, no comma after
#: ("And then an official asked", "But Smith said").
CONJUNCTION_OPENERS: frozenset[str] = frozenset("and but so then yet or".split())

#: Abbreviations after which a full stop does not end a sentence.
ABBREVIATIONS: frozenset[str] = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt cmdr adm brig sgt sen rep gov st jr
    sr no vs etc inc corp ltd co jan feb mar apr jun jul aug sep sept oct nov
    dec u.s u.k u.n e.g i.e approx est rev fr
    """.split()
)
