"""Figures found in news text, in English or French: money, gigawatts, weekly users.

A *figure* is a number with a unit this project tracks, read from one sentence:

* ``commitment_usd`` (unit ``"USD"``): "$100 billion", "$38bn", "US$1.4 trillion",
  "100 milliards de dollars", "13 Md$"; "300 milliards" alone only when the sentence is
  clearly about money (see below).
* ``capacity_gw`` (unit ``"GW"``): "10 GW", "10 gigawatts", "750 MW" (read as 0.75);
  ``deployed_gw`` (unit ``"GW"``) instead when the sentence says they run now ("1 GW
  online", "mis en service": see news.deployed).
* ``weekly_active_users`` (unit ``"users"``): "700 million weekly active users",
  "700 millions d'utilisateurs hebdomadaires actifs", "900M WAU",
  "weekly active users reached 800 million".

Rules decided here (each one has cases in ``tests/test_signals.py``):

Numbers
    "1,400" is 1400 in English and 1.4 in French (a French comma is always decimal);
    "1 400" groups thousands with a space, U+00A0 or U+202F; "1.4" and "1,4" are decimals.
    French "billion" is 10^12 and "milliard" 10^9, except that "$1 billion" written with a
    leading dollar sign is English notation quoted in French, so it keeps 10^9.
Not figures
    Years, percentages, dates, model names ("GPT-5", "H100", "405B"), "5G", "10-K",
    energy ("GWh"), counts of other things ("1 000 milliards de paramètres", "160 million
    shares"), monthly or unqualified user counts ("700 million users").
Money
    A currency must be written ($, US$, USD, dollars, Md$), or the amount is a spelled-out
    scale ("300 milliards") followed by nothing that names another noun, in a sentence with a
    money word (dollars, invest, contract, accord, deal, funding, levée...) and no other
    currency. Other currencies (€, £, C$, euros) yield nothing: the metric is in US dollars.
    Prices and rates ("$20 per month", "$10 billion a year"), amounts under $1 million, and
    valuations, market caps, revenue and profits are not commitments.
Ranges
    "5-10 GW", "5 to 10 GW", "de 5 à 10 GW", "between $10B and $20B" yield only the upper
    bound, with qualifier ``up_to`` (unless the upper bound carries its own qualifier). A
    span needs lower < upper, so "in 2026 to 10 GW" is not a range.
Parts of a whole
    "5 GW of the 10 GW" yields both figures, the part first: each is a real figure about the
    same subject, and only the reviewer can tell which fact it updates.
Deltas
    "added 100 million weekly users", "weekly users rose by 100 million" yield nothing: they
    are growth, not a level.
Qualifiers
    at least / au moins / or more → ``at_least``; more than / over / plus de / "900M+" →
    ``more_than``; up to / as much as / jusqu'à / no more than → ``up_to``; about / around /
    roughly / nearly / environ / près de → ``about``.

Subjects: see :func:`find_figures`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from dealdesk import limits
from dealdesk.model import Metric
from dealdesk.news.deployed import is_deployed
from dealdesk.news.entities import EntityMatcher

__all__ = [
    "Figure",
    "detect_lang",
    "find_figures",
    "iter_figures",
    "parse_number",
    "split_sentences",
]

METRIC_USD = Metric.COMMITMENT_USD
METRIC_GW = Metric.CAPACITY_GW
METRIC_USERS = Metric.WEEKLY_ACTIVE_USERS
METRIC_DEPLOYED = Metric.DEPLOYED_GW  # gigawatts said to run now (news.deployed)
_UNIT_OF: dict[str, str] = {METRIC_USD: "USD", METRIC_GW: "GW", METRIC_USERS: "users"}

# Amounts below this are prices or fees, never compute commitments.
_MIN_COMMITMENT_USD = Decimal(1_000_000)


@dataclass(frozen=True)
class Figure:
    """One figure found in a sentence.

    ``start``/``end`` are offsets in the text given to :func:`find_figures`:
    ``text[start:end]`` is the figure as written, qualifier and currency included.
    ``quote`` is the whole sentence it was found in, exactly as the source wrote it.
    """

    metric: str  # weekly_active_users | capacity_gw | deployed_gw | commitment_usd
    value: float  # plain number: 100e9 USD, 0.75 GW, 700e6 users
    unit: str  # "USD" | "GW" | "users"
    qualifier: str | None  # "at_least" | "more_than" | "up_to" | "about" | None
    subject: str | None
    quote: str
    start: int
    end: int


# --------------------------------------------------------------------------- patterns
# Every pattern is compiled once, here; find_figures only runs them.

_SPACE_CHARS = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break, thin space
_SP = f"[{_SPACE_CHARS}]"
_APOS_CHARS = "'\u2019\u02bc"  # ' ’ ʼ
_APOS = f"[{_APOS_CHARS}]"
_SPACES_RE = re.compile(_SP)
_DIGIT_RE = re.compile(r"\d")

# A number as written. The lookbehinds keep out the digits of words and codes ("H100",
# "GPT-5", "COVID-19"), of decimals and of dates ("23/09"); a digit-hyphen before is allowed
# because that is the upper bound of a range ("5-10 GW"). The first digit is matched before
# the lookbehinds (which then look past it) so that a search skips straight to digits
# instead of trying the lookbehinds at every character.
_NUMBER_RE = re.compile(
    rf"""
    \d(?<![\w.,/]\d)(?<![^\W\d_][-\u2011]\d)
    (?:
        \d{{0,2}}(?:,\d{{3}})+(?:\.\d+)?           # 1,400  1,400,000.5
      | \d{{0,2}}(?:\.\d{{3}}){{2,}}(?:,\d+)?      # 1.400.000,5
      | \d{{0,2}}(?:{_SP}\d{{3}})+(?:[.,]\d+)?     # 1 400  1 400,5 (any of the spaces)
      | \d*(?:[.,]\d+)?                            # 1400  1.4  1,4
    )
    (?!\d)
    """,
    re.VERBOSE,
)

# Powers of ten after the number. Spelled-out scales are matched in any case; abbreviations
# only as written, and never glued to a following letter ("MW", "kW", "mois" are not scales).
_SCALE_WORDS = {
    "thousand": 3, "mille": 3,
    "million": 6, "millions": 6,
    "milliard": 9, "milliards": 9,
    "billion": 9, "billions": 9,  # 12 in French: see _read_quantity
    "trillion": 12, "trillions": 12,
}
_SCALE_ABBR = {
    "k": 3, "K": 3,
    "m": 6, "M": 6, "mn": 6,
    "b": 9, "B": 9, "bn": 9, "Md": 9, "Mds": 9, "Mrd": 9, "Mrds": 9,
    "tn": 12, "T": 12,
}
_SCALE_RE = re.compile(
    rf"""{_SP}*(?:
        (?P<word>(?i:thousand|mille|millions?|milliards?|billions?|trillions?))(?!\w)
      | (?P<abbr>bn|mn|tn|Mrds?|Mds?|[kKmMbBT])(?!\w)
    )""",
    re.VERBOSE,
)
_PLUS_RE = re.compile(r"\+")

# Capacity, not energy: "GWh" and "gigawatts-heure" are left out.
_POWER_RE = re.compile(
    rf"{_SP}*(?:(?P<gw>GW|(?i:gigawatts?))|(?P<mw>MW|(?i:m[ée]gawatts?)))(?!\w)(?!-h)"
)
# Weekly users only: monthly, daily or plain "users" are other metrics.
_USERS_RE = re.compile(
    rf"""{_SP}*(?:
        WAUs?\b
      | (?i:weekly{_SP}+(?:active{_SP}+)?(?:users|people|visitors))\b
      | (?i:(?:active{_SP}+)?(?:users|people){_SP}+(?:a|per|each|every){_SP}+week)\b
      | (?i:(?:de{_SP}+|d{_APOS}{_SP}?)(?:utilisateurs|usagers|personnes)(?:{_SP}+actifs)?{_SP}+
            (?:hebdomadaires(?:{_SP}+actifs)?|par{_SP}+semaine|chaque{_SP}+semaine
               |toutes{_SP}+les{_SP}+semaines))\b
    )""",
    re.VERBOSE,
)
_FOREIGN_DOLLAR = (
    rf"(?P<foreign_name>{_SP}+"
    rf"(?i:canadiens?|australiens?|de{_SP}+hong{_SP}+kong|de{_SP}+singapour))"
)
_USD_SUFFIX_RE = re.compile(
    rf"""{_SP}*(?:
        (?:de{_SP}+|d{_APOS}{_SP}?)?(?i:dollars?)(?!\w){_FOREIGN_DOLLAR}?
      | (?:de{_SP}+)?\$(?:{_SP}?(?P<foreign>CA|AU|HK|C)\b|{_SP}?US\b)?
      | USD\b | US\$
    )""",
    re.VERBOSE,
)
_OTHER_CURRENCY_SUFFIX_RE = re.compile(
    rf"""{_SP}*(?:
        (?:de{_SP}+|d{_APOS}{_SP}?)?(?i:euros?|livres|yens?|yuans?|francs|pounds)\b
      | [€£¥] | (?:EUR|GBP|CHF|JPY|CNY)\b
    )""",
    re.VERBOSE,
)
_POSTFIX_QUALIFIER_RE = re.compile(
    rf"{_SP}+(?:(?P<at_least>(?i:or{_SP}+more|ou{_SP}+plus|et{_SP}+plus))"
    rf"|(?P<about>(?i:environ)))\b"
)

# Hedges written before the number. Longer phrases are listed so that "no more than" wins
# over "more than" (the leftmost match is kept). A leading "+" is not one: "+4.5 GW" is an
# increment, read as 4.5 GW.
_QUALIFIERS = {
    "up_to": [
        r"up{_SP}+to", r"as{_SP}+(?:much|many|high){_SP}+as", r"no{_SP}+more{_SP}+than",
        r"not{_SP}+more{_SP}+than", r"jusqu{_APOS}{_SP}?(?:à|a)", r"au{_SP}+maximum",
        r"pas{_SP}+plus{_SP}+de",
    ],
    "at_least": [
        r"at{_SP}+least", r"a{_SP}+minimum{_SP}+of", r"no{_SP}+(?:less|fewer){_SP}+than",
        r"au{_SP}+moins", r"au{_SP}+minimum", r"pas{_SP}+moins{_SP}+de",
    ],
    "more_than": [
        r"more{_SP}+than", r"over", r"upwards{_SP}+of", r"in{_SP}+excess{_SP}+of",
        r"north{_SP}+of", r"above", r"exceeding", r"plus{_SP}+de", r"plus{_SP}+d{_APOS}",
        r"au[-{_SP}]delà{_SP}+de",
    ],
    "about": [
        r"about", r"around", r"roughly", r"approximately", r"nearly", r"almost",
        r"close{_SP}+to", r"some", r"~", r"environ", r"près{_SP}+de", r"presque",
        r"quelque", r"autour{_SP}+de", r"approximativement", r"quasiment",
    ],
}
_QUALIFIER_ALT = "|".join(
    rf"(?P<{name}>{'|'.join(p.format(_SP=_SP, _APOS=_APOS) for p in pats)})"
    for name, pats in _QUALIFIERS.items()
)
# Searched in the few characters before a number, anchored at the number (\Z = endpos).
_PREFIX_RE = re.compile(
    rf"""
    (?:(?<![\w])(?i:{_QUALIFIER_ALT}){_SP}*)?
    (?:
        (?P<usd>US{_SP}?\$|U\.S\.{_SP}?\$|USD{_SP}?|(?<![A-Za-z])\$)
      | (?P<other>[€£¥]|EUR{_SP}?|GBP{_SP}?|[A-Z]{{1,2}}\$)
    )?
    {_SP}*\Z
    """,
    re.VERBOSE,
)
# Searching _PREFIX_RE tries every alternative at each of 40 positions; most numbers have no
# hedge or currency before them, which shows in the last character or word before the spaces:
# every qualifier ends in one of these words, "~" or an apostrophe ("plus d'"), and every
# currency in one of _CURRENCY_LAST (tests/test_signals_reference.py holds them to that).
_QUALIFIER_LAST_WORD_RE = re.compile(
    r"(?i:to|as|than|à|a|maximum|de|least|of|moins|minimum|over|above|exceeding|about|around"
    r"|roughly|approximately|nearly|almost|some|environ|presque|quelque|approximativement"
    r"|quasiment)"
)
_CURRENCY_LAST = "$€£¥DRP"
_PREFIX_MAX = 40  # characters searched before a number
_BETWEEN_RE = re.compile(rf"(?<!\w)(?i:between|entre){_SP}+\Z")
_RANGE_GAP_RE = re.compile(rf"{_SP}*[-\u2013\u2014]{_SP}*|{_SP}+(?i:to|à|au|and|et){_SP}+")

# "…per month", "/mo", "par an", "a year", "annually": a price or a rate, not a total.
_RATE_RE = re.compile(
    rf"""{_SP}*(?i:
        (?:/{_SP}*|(?:per|a|an|each|every|par|chaque){_SP}+)
        (?:month|mo|year|yr|annum|quarter|week|day|hour|hr|user|seat|share|token|gpu|head
          |person|mois|an|année|trimestre|semaine|jour|heure|utilisateur|action|siège
          |personne)s?\b
      | (?:annually|yearly|monthly|weekly|annuels?|mensuels?)\b
    )""",
    re.VERBOSE,
)

# A spelled-out scale with no currency counts as dollars only when what follows does not
# name another noun ("1 000 milliards de paramètres", "160 million shares").
_BARE_FOLLOW_OK_RE = re.compile(
    rf"""{_SP}*(?:
        \Z | [,.;:!?)»”"’\u2013\u2014-]
      | (?i:in|for|with|over|to|from|into|on|at|and|pour|avec|dans|sur|en|et|sous
          |deals?|contracts?|investments?|commitments?|agreements?|rounds?
          |accords?|contrats?|investissements?|engagements?|financements?)\b
      | (?i:(?:de{_SP}+|d{_APOS}{_SP}?|of{_SP}+)
          (?:investissements?|financements?|engagements?|investments?|funding|commitments?|capex
            |dépenses?|dollars?))\b
    )""",
    re.VERBOSE,
)
_MONEY_CONTEXT_RE = re.compile(
    r"\$|\bUSD\b|(?i:\b(?:dollars?|invest\w*|contra[ct]\w*|accords?|deals?|financ\w*|funding"
    r"|fund|lev[ée]e?s?|raise[sd]?|raising|commit\w*|engag\w*|achats?|purchase\w*|spend\w*"
    r"|dépens\w*|capex|tour\s+de\s+table|round)\b)"
)
_OTHER_CURRENCY_RE = re.compile(
    r"[€£¥]|\b(?:EUR|GBP|CHF)\b|(?<![A-Z])(?!US\$)[A-Z]{1,2}\$"
    r"|(?i:\b(?:euros?|yuans?|yens?|livres\s+sterling|pounds)\b)"
)

# Words that make a dollar figure something other than a commitment, when within three
# words of it: "valued at $500B", "$4.5 trillion market value", "$13B in revenue".
_NOT_COMMITMENT = (
    rf"(?i:valu(?:ation|ed)|market{_SP}+(?:cap\w*|value)|capitali[sz]ation|valoris\w*"
    rf"|revenues?|revenus?|chiffre{_SP}+d{_APOS}affaires|sales|ventes|profits?|bénéfices?"
    r"|earnings|losses|pertes)"
)
_NOT_COMMITMENT_BEFORE_RE = re.compile(rf"(?<!\w){_NOT_COMMITMENT}(?:\W+\w+){{0,2}}\W*\Z")
_NOT_COMMITMENT_AFTER_RE = re.compile(rf"\W*(?:\w+\W+){{0,2}}{_NOT_COMMITMENT}(?!\w)")

# Growth, not a level: "added 100 million weekly users".
_DELTA_BEFORE_RE = re.compile(
    rf"(?<!\w)(?i:added|adds|adding|gained|gains|gaining|by|another|additional|extra"
    rf"|gagné|gagne|ajouté|ajoute){_SP}+\Z"
)
# "weekly active users reached 800 million": the number comes after the noun.
_USERS_BEFORE_RE = re.compile(
    rf"""(?:
        (?i:weekly{_SP}+(?:active{_SP}+)?users|utilisateurs{_SP}+(?:actifs{_SP}+)?hebdomadaires
            (?:{_SP}+actifs)?)
      | WAUs?
    )(?:{_APOS}s)?
    (?P<words>(?:[\s,:]+[^\W\d_]+(?:{_APOS}[^\W\d_]+)?){{0,3}})[\s,:]*\Z""",
    re.VERBOSE,
)
_USERS_BEFORE_NOT_LAST = frozenset({"by", "from", "of", "de", "d", "par", "des"})

# ------------------------------------------------------------------- sentence splitting

# Abbreviations whose final period does not end a sentence (single letters, as in "U.S."
# or "J. P. Morgan", are handled by length).
_ABBREVIATIONS = frozenset(
    """inc corp co ltd llc plc mr mrs ms dr prof st jr sr vs no approx est fig cf mme mlle
    jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e av env p pp""".split()
)
_TERMINATOR_RE = re.compile(r"[.!?\u2026]+(?:[ \u00a0\u202f]?[»”])?[\"’)\]]*")
_WORD_BEFORE_RE = re.compile(r"([\w.]+)\Z")
_ABBREVIATION_WINDOW = 32  # longer than any abbreviation worth knowing
_QUOTED_RE = re.compile(r"«[^«»\n]{0,2000}»|“[^“”\n]{0,2000}”")
_LINE_BREAK_RE = re.compile(r"\n\s*")
_OPENERS = "«“\"'‘([$€£"
_NEXT_VISIBLE_RE = re.compile(r"\S")


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped, in order.

    Lines are split, except a hard-wrapped line that continues in lower case. A period ends a
    sentence only when followed by space and a capital, digit or opening quote, and not after
    an abbreviation ("U.S.", "Inc.", "M.") nor inside a number ("1.4"). A quotation in
    guillemets or curly quotes stays whole, so it keeps its attribution ("…», a déclaré X.").
    """
    return [text[a:b] for a, b in _sentence_spans(text)]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    return list(_iter_sentence_spans(text))


def _iter_sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """The spans of split_sentences, one at a time: a long text is never held as a list."""
    for block_start, block_end in _blocks(text):
        start = block_start
        for cut in _cuts(text, block_start, block_end):
            a, b = _strip(text, start, cut)
            if a < b:
                yield a, b
            start = cut
        a, b = _strip(text, start, block_end)
        if a < b:
            yield a, b


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Lines, joining a line to the previous one when it starts in lower case."""
    start = 0
    for m in _LINE_BREAK_RE.finditer(text):
        nxt = text[m.end() : m.end() + 1]
        if nxt.islower() and m.group().count("\n") == 1:
            continue  # a hard wrap inside a sentence
        yield start, m.start()
        start = m.end()
    yield start, len(text)


def _cuts(text: str, start: int, end: int) -> Iterator[int]:
    # Quotations do not overlap and come in order: a cut is inside one when the last one
    # starting before it ends after it. (Testing every quotation at every cut, and copying
    # the rest of the block to find its first letter, made a long block quadratic.)
    quoted = [m.span() for m in _QUOTED_RE.finditer(text, start, end)]
    quote_starts = [a for a, _ in quoted]
    for m in _TERMINATOR_RE.finditer(text, start, end):
        cut = m.end()
        if cut >= end or not text[cut].isspace():
            continue  # "1.4", "U.S.-based", end of block
        i = bisect_left(quote_starts, cut) - 1
        if i >= 0 and quoted[i][0] < cut < quoted[i][1]:
            continue
        nxt = _NEXT_VISIBLE_RE.search(text, cut, end)
        if nxt is None:
            continue
        first = nxt.group()
        if not (first.isupper() or first.isdigit() or first in _OPENERS):
            continue
        if m.group() == "." and _is_abbreviation(text, start, m.start()):
            continue
        yield cut


def _is_abbreviation(text: str, start: int, dot: int) -> bool:
    # Only the word before the dot matters: searching from the block's start made every
    # period a scan of the whole block (quadratic in a long summary).
    m = _WORD_BEFORE_RE.search(text, max(start, dot - _ABBREVIATION_WINDOW), dot)
    if m is None:
        return False
    word = m.group(1).lower()
    last = word.rsplit(".", 1)[-1]
    return word in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


# ---------------------------------------------------------------------------- language

_WORD_RE = re.compile(r"[^\W\d_]+")
_ELISION_RE = re.compile(rf"(?<!\w)(?i:[ldjmnst]|qu|jusqu|lorsqu|puisqu){_APOS}(?=\w)")
# "a", "on", "as" and "en" are left out: they are common words in both languages. A few
# French-only words of this domain tip short headlines ("OpenAI lève 40 milliards").
_FR_WORDS = frozenset(
    """le la les des du de un une et est que qui dans pour pas sur au aux avec ce cette ces
    ses son sa sont par plus ont été être mais ou où nous vous ils elle il leur leurs comme
    très aussi entre depuis selon après avant encore déjà va vont fait sera dont lui ne se
    milliard milliards md utilisateurs hebdomadaires""".split()
)
_EN_WORDS = frozenset(
    """the an and is are was were of to in that which for with by at from it its this these
    has have had be been will would said says than but or not their they he she more about
    after who what into over up""".split()
)


_LANG_SAMPLE = 100_000


def detect_lang(text: str) -> str:
    """"fr" or "en", by counting common words (and French elisions such as "l'", "d'").

    Ties, and text with no common word at all, count as English. Only the first
    _LANG_SAMPLE characters are read: they tell the language of an article, and a word list
    of a whole long file would be larger than the file.
    """
    text = text[:_LANG_SAMPLE]
    # Every elision has an apostrophe: most English text needs no search for one.
    fr = len(_ELISION_RE.findall(text)) if _has_apostrophe(text) else 0
    en = 0
    for word in _WORD_RE.findall(text.lower()):
        if word in _FR_WORDS:
            fr += 1
        elif word in _EN_WORDS:
            en += 1
    return "fr" if fr > en else "en"


def _has_apostrophe(text: str) -> bool:
    return any(c in text for c in _APOS_CHARS)


# ----------------------------------------------------------------------------- numbers


def parse_number(raw: str, lang: str = "en") -> float:
    """The value of a number as written: "1,400" (en), "1 400", "1.4", "1,4" (fr).

    Raises ValueError when `raw` is not one number in a style this module reads.
    """
    if not _NUMBER_RE.fullmatch(raw):
        raise ValueError(f"not a number: {raw!r}")
    return float(_parse_decimal(raw, lang))


def _parse_decimal(raw: str, lang: str) -> Decimal:
    grouped_by_space = bool(_SPACES_RE.search(raw))
    s = _SPACES_RE.sub("", raw)
    if "," in s and "." in s:
        # Both: the last one is the decimal mark.
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif s.count(",") > 1 or s.count(".") > 1:
        s = s.replace(",", "").replace(".", "")
    elif "," in s:
        decimals = s.split(",")[1]
        # "1,400" groups thousands in English; a French comma is always decimal.
        if lang == "en" and len(decimals) == 3 and not grouped_by_space:
            s = s.replace(",", "")
        else:
            s = s.replace(",", ".")
    return Decimal(s)


# ----------------------------------------------------------------------------- figures


@dataclass(slots=True)  # not frozen: one is made per number, and frozen init is slow
class _Quantity:
    """A number with what was written around it, before it is judged a figure or not."""

    start: int  # qualifier or currency included
    num_start: int
    end: int  # unit and postfix qualifier included
    number: Decimal
    exp: int | None  # power of ten of the scale word, None when there is none
    scale_is_word: bool
    kind: str | None  # "USD" | "other" (another currency) | "GW" | "MW" | "users" | None
    usd_prefix: bool  # "$100 billion": English notation even inside French text
    qualifier: str | None
    minus_at: int | None = None  # where a minus sign is written ("-5 GW", "-$5 billion")

    @property
    def scaled(self) -> Decimal:
        return self.number * (Decimal(10) ** (self.exp or 0))


def find_figures(
    text: str,
    matcher: EntityMatcher | None = None,
    lang: str | None = None,
    *,
    tracked: str = "OpenAI",
    products: Collection[str] = ("ChatGPT",),
) -> list[Figure]:
    """Every figure in `text`, sentence by sentence, in order.

    `lang` ("fr" | "en") is detected from the whole text when not given; it decides what
    "billion" and "1,400" mean. Each figure's subject is one of the entities `matcher`
    finds in the same sentence (None without a matcher or when none is named):

    * weekly users belong to a product: the nearest product (`products`, e.g. ChatGPT), else
      the tracked company if named, else the nearest other entity;
    * money and gigawatts belong to the partner investing or supplying: the nearest entity
      that is neither the `tracked` company (OpenAI, the other side of every deal) nor a
      product; OpenAI itself only when no partner is named, then a product.

    "Nearest" means fewest clause breaks (commas, semicolons, colons, dashes, brackets,
    "and"/"et") between figure and mention, then fewest characters to the far edge of the
    mention, on either side; on a tie the entity before the figure (usually the grammatical
    subject) wins. So in "Nvidia s'engage à investir jusqu'à 100 milliards de dollars dans
    OpenAI" the subject is Nvidia, and in "OpenAI … un accord de 300 milliards de dollars avec
    Oracle" it is Oracle. The rule reads one sentence: when it names a partner, even in
    passing, OpenAI's own figures in that sentence go to the partner.
    """
    if not _DIGIT_RE.search(text):
        return []
    return list(iter_figures(text, matcher, lang, tracked=tracked, products=products))


def iter_figures(
    text: str,
    matcher: EntityMatcher | None = None,
    lang: str | None = None,
    *,
    tracked: str = "OpenAI",
    products: Collection[str] = ("ChatGPT",),
) -> Iterator[Figure]:
    """The figures of find_figures, one at a time, so that a long text (`dealdesk ingest` of
    a whole file) is read in bounded memory and its figures can be counted as they come.

    Every value is plausible for its metric (limits.RANGES): a misreading such as
    "7 trillion weekly users", a negative figure or an overflow is never offered. A quote
    is the figure's sentence, or, in a sentence longer than _QUOTE_MAX, a window of it
    around the figure.
    """
    if not _DIGIT_RE.search(text):
        return
    lang = lang or detect_lang(text)
    for s_start, s_end in _iter_sentence_spans(text):
        if not _DIGIT_RE.search(text, s_start, s_end):
            continue
        sentence = text[s_start:s_end]
        names: tuple[str, ...] | None = None  # only sentences with a figure need them
        run_on: _RunOn | None = None
        for fig in _figures_in_sentence(sentence, lang):
            lo, hi = _reach(sentence, fig.start, fig.end)
            if matcher is None:
                subject = None
            elif (lo, hi) == (0, len(sentence)):
                if names is None:
                    names = matcher.find(sentence)
                subject = _subject(matcher, names, sentence, fig, tracked, products)
            else:  # a run-on sentence: its subject is looked for within reach only
                run_on = run_on or _RunOn(sentence, matcher)
                subject = _subject(
                    matcher, run_on.names_near(fig.start, fig.end), sentence[lo:hi],
                    replace(fig, start=fig.start - lo, end=fig.end - lo), tracked, products,
                )
            metric = fig.metric
            if metric == METRIC_GW and is_deployed(sentence, fig.start, fig.end):
                metric = METRIC_DEPLOYED  # running now, not planned (news.deployed)
            yield Figure(
                metric=metric, value=fig.value, unit=fig.unit, qualifier=fig.qualifier,
                subject=subject, quote=_quote(sentence, fig.start, fig.end),
                start=fig.start + s_start, end=fig.end + s_start,
            )


# A sentence longer than this (a list of figures with no full stop, a run-on page) is quoted
# as a window around the figure, cut at spaces: a quote is read by a person, and every
# figure of such a sentence quoting all of it made the output quadratic in its length.
_QUOTE_MAX = 1000  # as _RUN_ON: a sentence read whole is quoted whole
_QUOTE_CONTEXT = 240  # characters kept on each side of the figure


def _quote(sentence: str, start: int, end: int) -> str:
    if len(sentence) <= _QUOTE_MAX:
        return sentence
    a = max(0, start - _QUOTE_CONTEXT)
    b = min(len(sentence), end + _QUOTE_CONTEXT)
    if a > 0:
        space = sentence.find(" ", a, start)
        a = space + 1 if space >= 0 else a
    if b < len(sentence):
        space = sentence.rfind(" ", end, b)
        b = space if space >= 0 else b
    return ("…" if a > 0 else "") + sentence[a:b].strip() + ("…" if b < len(sentence) else "")


class _Context:
    """Facts about a whole sentence that some figures need, each looked up at most once:
    searching the sentence again for every number made a long one quadratic."""

    __slots__ = ("sentence", "_money", "_other_currency")

    def __init__(self, sentence: str) -> None:
        self.sentence = sentence
        self._money: bool | None = None
        self._other_currency: bool | None = None

    @property
    def about_money(self) -> bool:
        if self._money is None:
            self._money = _MONEY_CONTEXT_RE.search(self.sentence) is not None
        return self._money

    @property
    def other_currency(self) -> bool:
        if self._other_currency is None:
            self._other_currency = _OTHER_CURRENCY_RE.search(self.sentence) is not None
        return self._other_currency


def _figures_in_sentence(sentence: str, lang: str) -> Iterator[Figure]:
    context = _Context(sentence)
    quantities = (_read_quantity(sentence, m, lang) for m in _NUMBER_RE.finditer(sentence))
    for q in _merge_ranges(sentence, quantities):
        fig = _judge(sentence, q, lang, context)
        if fig is not None:
            yield fig


def _read_quantity(s: str, m: re.Match[str], lang: str) -> _Quantity:
    """The number at `m` and the currency, scale, unit and hedge written around it."""
    num_start, pos = m.span()
    number = _parse_decimal(m.group(), lang)

    # A sign is read as written: "-5 GW" is -5 (which no metric allows), never 5. A minus
    # glued to the number, or to the currency before it, counts; "5-10 GW" is a range.
    minus_at: int | None = None
    if _is_minus(s, num_start - 1):
        minus_at = num_start - 1
        start, qualifier, kind = _prefix(s, minus_at)  # "$-5 billion" too
        start = min(start, minus_at)
    else:
        start, qualifier, kind = _prefix(s, num_start)
        if kind is not None and _is_minus(s, start - 1):  # "-$5 billion"
            minus_at = start = start - 1
    if minus_at is not None:
        number = -number
    usd_prefix = kind == "USD"

    exp, scale_is_word = None, False
    if sm := _SCALE_RE.match(s, pos):
        if sm.group("word"):
            word = sm.group("word").lower()
            exp, scale_is_word = _SCALE_WORDS[word], True
            if word.startswith("billion") and lang == "fr" and not usd_prefix:
                exp = 12  # French long scale; "$1 billion" is English quoted in French
        else:
            exp = _SCALE_ABBR[sm.group("abbr")]
        pos = sm.end()
    if pm := _PLUS_RE.match(s, pos):  # "900M+ WAU", "10+ GW"
        qualifier = qualifier or "more_than"
        pos = pm.end()

    if um := _POWER_RE.match(s, pos):
        kind, pos = ("GW" if um.group("gw") else "MW"), um.end()
    elif um := _USERS_RE.match(s, pos):
        kind, pos = "users", um.end()
    elif um := _USD_SUFFIX_RE.match(s, pos):
        foreign = um.group("foreign") or um.group("foreign_name")
        kind = "other" if foreign or kind == "other" else "USD"
        pos = um.end()
    elif um := _OTHER_CURRENCY_SUFFIX_RE.match(s, pos):
        kind, pos = "other", um.end()

    if kind is not None and (qm := _POSTFIX_QUALIFIER_RE.match(s, pos)):
        qualifier = qualifier or ("at_least" if qm.group("at_least") else "about")
        pos = qm.end()

    return _Quantity(
        start=start, num_start=num_start, end=pos, number=number, exp=exp,
        scale_is_word=scale_is_word, kind=kind, usd_prefix=usd_prefix, qualifier=qualifier,
        minus_at=minus_at,
    )


# Hyphen-minus, minus sign, en dash (typeset minus), small and full-width hyphen-minus.
_MINUS_CHARS = "-\u2212\u2013\ufe63\uff0d"


def _is_minus(s: str, i: int) -> bool:
    """Whether s[i] is a minus sign: a dash that does not join two words or numbers
    ("5-10", "GPT-5", "mi-2025"), so one at the start or after a space or bracket."""
    if i < 0 or s[i] not in _MINUS_CHARS:
        return False
    return i == 0 or not (s[i - 1].isalnum() or s[i - 1] in "_.,/" or s[i - 1] in _MINUS_CHARS)


def _prefix(s: str, num_start: int) -> tuple[int, str | None, str | None]:
    """(start, qualifier, "USD" | "other" | None) of the hedge and currency before a number."""
    lo = max(0, num_start - _PREFIX_MAX)
    a = num_start
    while a > lo and s[a - 1] in _SPACE_CHARS:
        a -= 1
    if a > lo and not _may_end_prefix(s, a):
        return num_start, None, None  # what _PREFIX_RE would find: the spaces alone
    prefix = _PREFIX_RE.search(s, lo, num_start)
    assert prefix is not None  # the pattern can match the empty string at the number
    qualifier = next((k for k in _QUALIFIERS if prefix.group(k)), None)
    kind = "USD" if prefix.group("usd") else "other" if prefix.group("other") else None
    # The prefix match may begin with the spaces before a bare number: leave them out.
    start = prefix.start() + len(prefix.group()) - len(prefix.group().lstrip(_SPACE_CHARS))
    return start, qualifier, kind


def _may_end_prefix(s: str, a: int) -> bool:
    """Whether a qualifier or currency could end at s[a - 1]."""
    c = s[a - 1]
    if c in _CURRENCY_LAST or c == "~" or c in _APOS_CHARS:
        return True
    # The word (run of \w, as the patterns see it) ending there; "ʼ" counts as a letter in
    # Unicode, yet separates "jusquʼ" from "à".
    j = a
    while j > 0 and (s[j - 1].isalnum() or s[j - 1] == "_") and s[j - 1] != "\u02bc":
        j -= 1
    return j < a and _QUALIFIER_LAST_WORD_RE.fullmatch(s, j, a) is not None


def _merge_ranges(s: str, quantities: Iterable[_Quantity]) -> Iterator[_Quantity]:
    """Replace each range ("5-10 GW", "entre 5 et 10 GW") by its upper bound."""
    pending: _Quantity | None = None
    for q in quantities:
        if pending is None:
            pending = q
            continue
        merged = _as_range(s, pending, q)
        if merged is not None:
            yield merged
            pending = None
        else:
            yield pending
            pending = q
    if pending is not None:
        yield pending


def _as_range(s: str, low: _Quantity, high: _Quantity) -> _Quantity | None:
    if high.minus_at is not None and high.minus_at == high.start and _RANGE_GAP_RE.fullmatch(
        s, low.end, high.minus_at + 1
    ):
        # "5 -10 GW": the minus was the range's dash after all.
        high = replace(high, number=-high.number, start=high.minus_at + 1, minus_at=None)
    gap = s[low.end : high.start]
    if not _RANGE_GAP_RE.fullmatch(gap):
        return None
    between = _BETWEEN_RE.search(s, max(0, low.start - 20), low.start)
    if gap.strip(_SPACE_CHARS).lower() in ("and", "et") and between is None:
        return None  # "5 GW and 10 GW" are two figures
    # The lower bound may leave out the unit ("5-10 GW") or only carry the currency
    # ("$10-20 billion"), but must not be something else ("5 GW to 10 users").
    if low.kind not in (None, high.kind) and not (low.kind == "USD" and high.kind is None):
        return None
    low_exp = low.exp if low.exp is not None else (high.exp or 0)
    if not low.number * Decimal(10) ** low_exp < high.scaled:
        return None  # "in 2026 to 10 GW" is a year, then a figure
    return replace(
        high,
        start=between.start() if between else low.start,
        kind=high.kind or low.kind,
        usd_prefix=high.usd_prefix or low.usd_prefix,
        qualifier=high.qualifier or "up_to",
    )


def _judge(s: str, q: _Quantity, lang: str, context: _Context) -> Figure | None:
    """The figure `q` stands for, or None when it is not one this project tracks."""
    if q.kind == "other":
        return None
    if q.kind in ("GW", "MW"):
        if q.exp is not None or _RATE_RE.match(s, q.end):
            return None  # "10 million GW" is nonsense, "1 GW a week" is a rate
        return _figure(METRIC_GW, q.number if q.kind == "GW" else q.number / 1000, q, s)
    if q.kind == "users":
        if _DELTA_BEFORE_RE.search(s, max(0, q.start - 20), q.start):
            return None
        return _figure(METRIC_USERS, q.scaled, q, s)
    if q.kind is None:
        if q.exp is not None and q.exp >= 6 and _users_named_before(s, q):
            return _figure(METRIC_USERS, q.scaled, q, s)
        if not _is_bare_money(s, q, context):
            return None
    value = q.scaled
    if value < _MIN_COMMITMENT_USD or _RATE_RE.match(s, q.end) or _not_commitment(s, q):
        return None
    return _figure(METRIC_USD, value, q, s)


def _figure(metric: str, value: Decimal, q: _Quantity, sentence: str) -> Figure | None:
    number = float(value)  # a number too large for a float becomes inf: not plausible
    if q.minus_at is not None or not limits.plausible(metric, number):
        return None  # no metric is negative; "-0 GW" is no figure either
    return Figure(
        metric=metric,
        value=number,
        unit=_UNIT_OF[metric],
        qualifier=q.qualifier,
        subject=None,
        quote=sentence,
        start=q.start,
        end=q.end,
    )


def _users_named_before(s: str, q: _Quantity) -> bool:
    """"weekly active users reached 800 million" (but not "rose by 100 million")."""
    m = _USERS_BEFORE_RE.search(s, max(0, q.start - 80), q.start)
    if m is None:
        return False
    words = m.group("words").replace(",", " ").replace(":", " ").split()
    return not words or words[-1].lower() not in _USERS_BEFORE_NOT_LAST


def _is_bare_money(s: str, q: _Quantity, context: _Context) -> bool:
    """"300 milliards" with no currency: dollars only in a sentence about money."""
    return (
        q.scale_is_word
        and (q.exp or 0) >= 6
        and _BARE_FOLLOW_OK_RE.match(s, q.end) is not None
        and context.about_money
        and not context.other_currency
    )


def _not_commitment(s: str, q: _Quantity) -> bool:
    return bool(
        _NOT_COMMITMENT_BEFORE_RE.search(s, max(0, q.start - 60), q.start)
        or _NOT_COMMITMENT_AFTER_RE.match(s, q.end, min(len(s), q.end + 60))
    )


# ---------------------------------------------------------------------------- subjects

# Word edges as EntityMatcher sees them (it refuses names glued to a hyphen).
_WORD_START_RE = re.compile(r"(?<![\w-])\w")
_WORD_END_RE = re.compile(r"\w(?![\w-])")
# Commas (not those inside "1,400"), semicolons, colons, dashes, brackets and a coordinating
# "and"/"et" end a clause: in "Nvidia will deploy 5 GW and AMD 6 GW", 5 GW is Nvidia's.
_CLAUSE_BREAK_RE = re.compile(r",(?!\d)|[;:()\[\]\u2013\u2014]|\b(?:and|et)\b")


def _subject(
    matcher: EntityMatcher | None,
    names: tuple[str, ...],
    sentence: str,
    fig: Figure,
    tracked: str,
    products: Collection[str],
) -> str | None:
    """Who a figure is about; the rule is documented on find_figures."""
    if matcher is None or not names:
        return None
    own = [tracked] if tracked in names else []
    prods = [n for n in names if n in products]
    partners = [n for n in names if n != tracked and n not in products]
    groups = (prods, own, partners) if fig.metric == METRIC_USERS else (partners, own, prods)
    for group in groups:
        if len(group) == 1:
            return group[0]
        if group:
            return _nearest(matcher, sentence, fig.start, fig.end, group) or group[0]
    return None


# How far from a figure its subject is looked for, on each side, in a sentence longer than
# that: in a run-on "sentence" (a whole file of figures with no full stop) reading all of it
# for each figure was quadratic, and a name that far away is no figure's subject.
_SUBJECT_REACH = 300
_RUN_ON = 1000  # a sentence longer than this is read in windows; any shorter one, whole


class _RunOn:
    """The names mentioned near any place of a run-on sentence, each stretch of
    _SUBJECT_REACH characters searched once (not once for every figure near it)."""

    __slots__ = ("s", "matcher", "_names")

    def __init__(self, s: str, matcher: EntityMatcher) -> None:
        self.s = s
        self.matcher = matcher
        self._names: dict[int, tuple[str, ...]] = {}

    def _edge(self, k: int) -> int:
        """Where stretch k begins: after the first space from k * _SUBJECT_REACH on."""
        pos = k * _SUBJECT_REACH
        if pos <= 0 or pos >= len(self.s):
            return max(0, min(pos, len(self.s)))
        space = self.s.find(" ", pos, pos + _SUBJECT_REACH)
        return pos if space < 0 else space + 1

    def names_near(self, start: int, end: int) -> tuple[str, ...]:
        """Names in the stretches within _SUBJECT_REACH of s[start:end], in order, once."""
        found: dict[str, None] = {}
        for k in range(max(0, (start - _SUBJECT_REACH) // _SUBJECT_REACH),
                       (end + _SUBJECT_REACH) // _SUBJECT_REACH + 1):
            names = self._names.get(k)
            if names is None:
                names = self._names[k] = self.matcher.find(
                    self.s[self._edge(k) : self._edge(k + 1)])
            found.update(dict.fromkeys(names))
        return tuple(found)


def _reach(s: str, start: int, end: int) -> tuple[int, int]:
    """The part of sentence `s` read for the subject of the figure at s[start:end]: all of
    it, or in a run-on sentence _SUBJECT_REACH characters on each side cut at a space (no
    half word is read)."""
    if len(s) <= max(_RUN_ON, end - start + 2 * _SUBJECT_REACH):
        return 0, len(s)
    lo, hi = max(0, start - _SUBJECT_REACH), min(len(s), end + _SUBJECT_REACH)
    if lo > 0:
        space = s.find(" ", lo, start)
        lo = space + 1 if space >= 0 else start
    if hi < len(s):
        space = s.rfind(" ", end, hi)
        hi = space if space >= 0 else end
    return lo, hi


def _nearest(
    matcher: EntityMatcher, s: str, start: int, end: int, wanted: list[str]
) -> str | None:
    """The wanted entity mentioned closest to s[start:end], before winning a tie.

    Closest means fewest clause breaks in between, then fewest characters (to the far edge
    of the mention), so in "OpenAI, which relies on Microsoft Azure, signed a $38 billion
    contract with Amazon" the figure belongs to Amazon, not to the aside.

    EntityMatcher only tells which names a text mentions, so the mention nearest the figure
    is found by growing a window away from the figure one word at a time until a wanted name
    fits inside it; the first hit on each side is that side's best.

    Asking `find` about every window made this quadratic in the sentence, so a window is only
    asked about when it can see a name its predecessor could not: growing leftwards, when a
    name can begin in the words it gained; growing rightwards, when a name can end in them
    (so begin at most `matcher.longest` characters before them). Any other window finds
    exactly what the previous one found, which had no wanted name.

    `s` is never longer than _reach allows around the figure (see iter_figures).
    """
    found: list[tuple[int, int, str]] = []
    if set(wanted) & set(matcher.find(s[:start])):
        begins = matcher.begins(s, start)
        nearer = start
        for m in reversed(list(_WORD_START_RE.finditer(s, 0, start))):
            i = bisect_left(begins, m.start())
            if i < len(begins) and begins[i] < nearer:
                window = s[m.start() : start]
                hit = [n for n in matcher.find(window) if n in wanted]
                if hit:
                    found.append((len(_CLAUSE_BREAK_RE.findall(window)), len(window), hit[0]))
                    break
            nearer = m.start()
    rest = s[end:]
    if set(wanted) & set(matcher.find(rest)):
        begins = matcher.begins(rest, len(rest))
        shorter = 0
        for m in _WORD_END_RE.finditer(s, end):
            i = bisect_right(begins, shorter - matcher.longest)
            if i < len(begins) and begins[i] < m.end() - end:
                window = s[end : m.end()]
                hit = [n for n in matcher.find(window) if n in wanted]
                if hit:
                    found.append((len(_CLAUSE_BREAK_RE.findall(window)), len(window), hit[0]))
                    break
            shorter = m.end() - end
    # min() keeps the first of equals: the mention before the figure wins a tie.
    return min(found)[2] if found else None
