"""Contract status moves in English and French news: signed, stalled, ended, replaced...

A *status signal* says that a tracked partner's deal with the tracked company (OpenAI) moved
to one of the partner statuses (facts.PARTNER_STATUSES). It is read from one clause of one
sentence, and only when that clause asserts the move:

* a verb of one class (sign / finalise → ``definitive``; sign a letter of intent →
  ``letter-of-intent``; announce a partnership → ``announced``; suspend / pause / freeze →
  ``stalled``; end / scrap / collapse / abandon → ``ended``; replace / swap → ``replaced``;
  expand / extend → ``definitive``, as only a binding deal is expanded),
* about a deal: a deal noun (deal, agreement, contract, partnership, accord, contrat...)
  follows an active verb within a few words, or comes before an intransitive or passive one
  ("the deal collapses", "l'accord est suspendu"),
* with the tracked company and a tracked partner named in the same clause,
* and nothing in that clause hedges it (could, may, in talks, reportedly, pourrait,
  envisage, a question), negates or denies it (not, denies, ne... pas, dément), or makes it
  someone else's deal ("OpenAI rival", "with Anthropic": a named party that is not tracked).

Clauses are cut at ";", "but", "while", "amid", "mais", "alors que"...: "OpenAI denies
rumours but signs a definitive deal with Oracle" reads the second half on its own.

Matching runs on a case- and accent-folded copy of the clause of the same length, so the
places it finds are places in the text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from ..text.fold import fold
from .entities import EntityMatcher

__all__ = ["StatusSignal", "find_statuses", "fold"]

METRIC_STATUS = "status"


@dataclass(frozen=True)
class StatusSignal:
    """One status move; shaped like a figure so the store records both alike. `value` is
    0.0 only because the signals table wants a number: the contract shows it as null."""

    status: str
    subject: str
    quote: str
    verb: str  # the words that carried the move, as written
    metric: str = METRIC_STATUS
    value: float = 0.0
    unit: str | None = None
    qualifier: str | None = None


# ------------------------------------------------------------------------------- words
# Every pattern reads folded text (lower case, no accents).

_DEAL_NOUN = (
    r"(?:deals?|agreements?|contracts?|partnerships?|partners?|pacts?|alliances?|tie-?ups?|accords?"
    r"|investments?|stakes?|projects?|plans?|ventures?|collaborations?|commitments?"
    r"|expansion|arrangements?|financing|tranches?|exclusivity|talks|negotiations"
    r"|data ?cent(?:er|re)s?|campus(?:es)?|sites?|build-?outs?|letters? of intent|lois?"
    r"|memorand(?:um|a)(?: of understanding)?|mous?"
    r"|contrats?|partenariats?|investissements?|projets?|engagements?|ententes?"
    r"|coentreprises?|pactes?|protocoles?|centres? de donnees|financements?|chantiers?"
    r"|lettres? d'intention|negociations|discussions|exclusivite)"
)

# (status, active verbs: the deal noun follows; passive or intransitive: it comes first).
# Active forms are followed by a deal noun within _OBJECT_WORDS words.
_ACTIVE: dict[str, str] = {
    "letter-of-intent": (
        r"(?:sign(?:s|ed|ing)?|ink(?:s|ed)?|enter(?:s|ed)? into|agree(?:s|d)? (?:to|on)"
        r"|signe(?:nt)?|a signe|ont signe|conclu(?:t|ent)?|paraphe(?:nt)?)"
        r"(?=.{0,60}?(?:letters? of intent|\blois?\b|memorand|\bmous?\b|non-?binding"
        r"|framework|preliminary|term sheet|lettres? d'intention|protocole d'accord"
        r"|accord[- ]cadre|preliminaire|de principe|non contraignant))"
    ),
    "definitive": (
        r"(?:sign(?:s|ed|ing)?|ink(?:s|ed|ing)?|seal(?:s|ed|ing)?|clinch(?:es|ed|ing)?"
        r"|finali[sz](?:e|es|ed|ing)|strikes? (?:a|an)|struck (?:a|an)"
        r"|reach(?:es|ed)? (?:a|an)(?= (?:\w+ )?(?:deal|agreement))|conclude[sd]?"
        r"|formali[sz](?:e|es|ed)|enter(?:s|ed)? into|close[sd]? (?:the|a|its|their)"
        r"|expand(?:s|ed|ing)?|extend(?:s|ed|ing)?|broaden(?:s|ed)?|deepen(?:s|ed)?"
        r"|widen(?:s|ed)?|upsize[sd]?|scale[sd]? up|boost(?:s|ed)?|increase[sd]?"
        r"|signe(?:nt)?|a signe|ont signe|conclu(?:t|ent)|a conclu|finalise(?:nt)?"
        r"|a finalise|scelle(?:nt)?|officialise(?:nt)?|paraphe(?:nt)?|boucle(?:nt)?|a boucle"
        r"|verrouille(?:nt)?"
        r"|elargi(?:t|ssent)?|a elargi|etend(?:ent)?|a etendu|etoffe(?:nt)?|renforce(?:nt)?"
        r"|approfondi(?:t|ssent)|augmente(?:nt)?|prolonge(?:nt)?)"
    ),
    "announced": (
        r"(?:announce[sd]?|unveil(?:s|ed)?|launch(?:es|ed)?|annonce(?:nt)?|a annonce"
        r"|devoile(?:nt)?|lance(?:nt)?)"
        r"(?=\W+(?:\w+\W+){0,3}?(?:partnerships?|alliances?|collaborations?"
        r"|partenariats?))"
    ),
    "stalled": (
        r"(?:suspend(?:s|ed|ing)?|paus(?:es|ed|ing)|halt(?:s|ed|ing)?|freez(?:es|ing)|froze"
        r"|stall(?:s|ed|ing)?|delay(?:s|ed|ing)?|postpone[sd]?|shelve[sd]?|mothball(?:s|ed)?"
        r"|(?:puts?|putting|slams?|hits?|pumps?) (?:the )?brakes on|freine(?:nt)?|a freine"
        r"|puts?|placed|places|putting"  # after "puts the brakes on": the longer first
        r"|suspend(?:ent)?|a suspendu|gele(?:nt)?|a gele|met(?:tent)? en (?:pause|suspens|veille)"
        r"|a mis en (?:pause|suspens|veille)|interromp(?:t|ent)|a interrompu"
        r"|reporte(?:nt)?|a reporte|retarde(?:nt)?|bloque(?:nt)?)"
    ),
    "ended": (
        r"(?:ends?|ended|ending|terminat(?:es|ed|ing|e)|cancel(?:s|ed|led|ing|ling)?"
        r"|scrap(?:s|ped|ping)?|abandon(?:s|ed|ing)?|drop(?:s|ped|ping)?|kill(?:s|ed)?"
        r"|(?:walk(?:s|ed)?|back(?:s|ed)?|pull(?:s|ed)?) (?:away from|out of|out from)"
        r"|pull(?:s|ed)? the plug on|call(?:s|ed)? off|break(?:s)? off|broke off"
        r"|rescind(?:s|ed)?|exit(?:s|ed)?|unwind(?:s)?|unwound|tear(?:s)? up|tore up"
        r"|wind(?:s|ing)? down|wound down|phas(?:es|ed|ing) out|sunset(?:s|ted)?"
        r"|met(?:tent)? fin a|a mis fin a|ont mis fin a|abandonne(?:nt)?|a abandonne"
        r"|met(?:tent)? un terme a|a mis un terme a|ont mis un terme a"
        r"|annule(?:nt)?|a annule|romp(?:t|ent)|a rompu|resilie(?:nt)?|a resilie"
        r"|renonce(?:nt)? a|a renonce a|enterre(?:nt)?|se retire(?:nt)? (?:de|du|des|d')"
        r"|se desengage(?:nt)? (?:de|du|des|d')|claque(?:nt)? la porte (?:de|du|des|d'))"
    ),
    "replaced": (
        r"(?:replac(?:es|ed|ing|e)|swap(?:s|ped)?|supplant(?:s|ed)?|supersede[sd]?"
        r"|remplace(?:nt)?|a remplace|substitue(?:nt)?)"
    ),
}
_PASSIVE: dict[str, str] = {
    "definitive": (
        r"(?:(?:is|was|has been|gets?|now) )?(?:signed|finali[sz]ed|sealed|inked|clinched"
        r"|made (?:definitive|binding|final)|expanded|extended|broadened|upsized"
        r"|(?:est |a ete )?(?:signee?s?|finalisee?s?|scellee?s?|conclue?s?|officialisee?s?"
        r"|elargie?s?|etendue?s?))"
    ),
    "stalled": (
        r"(?:(?:is|are|was|were|has been|gets?|goes|now|remains?) )?(?:suspended|paused"
        r"|halted|frozen|stalled|stalls|delayed|postponed|shelved"
        r"|(?:put |placed )?on (?:hold|ice|pause)|in limbo"
        r"|(?:mise? )?entre parentheses|en stand-?by|sine die"
        r"|grinds? to a halt|(?:est |sont |a ete |reste )?(?:suspendue?s?|gelee?s?"
        r"|en (?:pause|suspens|veille)|mise? en (?:pause|suspens|veille)|a l'arret"
        r"|au point mort|interrompue?s?|reportee?s?|bloquee?s?))"
    ),
    "ended": (
        r"(?:(?:is|are|was|were|has been|have been|now) )?(?:collaps(?:es|ed|ing)|scrapped"
        r"|cancell?ed|terminated|ended|ends|abandoned|dropped|called off|dead|falls? apart"
        r"|fell apart|falls? through|fell through|unravels?|unraveled|dies|died"
        r"|(?:est |sont |a ete )?(?:annulee?s?|abandonnee?s?|resiliee?s?|rompue?s?"
        r"|enterree?s?|terminee?s?|caduc|caduque?s?)|s'effondre(?:nt)?|s'est effondree?"
        r"|tombe a l'eau"
        r"|prend fin|a pris fin|vole en eclats)"
    ),
    "replaced": (
        r"(?:(?:is|was|has been|gets?) )?replaced|(?:est |a ete )?remplacee?s?"
    ),
}
# Nouns that name a move by themselves: "la fin de l'accord", "termination of the deal".
_NOUN_MOVES: dict[str, str] = {
    "ended": r"(?:fin|rupture|annulation|resiliation|abandon|termination|cancell?ation"
             r"|collapse|end)(?= (?:de|du|des|d'|of) (?:(?:the|its|their|l'|la|le|son|sa|leur)"
             r" ?)?(?:\w+ ){0,2}?" + _DEAL_NOUN + r")",
    "stalled": r"(?:suspension|gel|pause)(?= (?:de|du|des|d'|of) (?:(?:the|its|their|l'|la"
               r"|le|son|sa|leur) ?)?(?:\w+ ){0,2}?" + _DEAL_NOUN + r")",
    "definitive": r"(?:signature|finalisation|finali[sz]ation)(?= (?:de|du|des|d'|of) "
                  r"(?:(?:the|its|their|l'|la|le|un|une|son|sa|leur|a) ?)?(?:\w+ ){0,2}?"
                  + _DEAL_NOUN + r")",
}
# "definitive agreement", "accord définitif": a signed, binding deal whatever the verb.
_DEFINITIVE_NOUN = re.compile(
    r"\b(?:definitive|binding|final|formal|firm) (?:\w+ )?(?:agreements?|deals?|contracts?)\b"
    r"|\b(?:accord|contrat)s? (?:\w+ )?(?:definitifs?|contraignants?|fermes?|formels?)\b"
)
_OBJECT_WORDS = 6  # words an active verb's deal noun may sit after it
_SUBJECT_WORDS = 5  # words a passive verb's deal noun may sit before it

_WORD_EDGE_L = r"(?<![\w'-])"
_WORD_EDGE_R = r"(?:(?<=')|(?![\w-]))"  # "d'" ends a word though a letter follows
# Words that start another thought between a verb and a noun: "pauses hiring as the deal
# ramps" is no paused deal.
_GAP_WORD = (r"(?!(?:as|after|amid|because|since|when|while|despite|comme|apres|pendant"
             r"|lorsque|malgre|car|puisque)\b)[\w'-]+")
# Words and the gaps between them are disjoint classes, so a run of words splits one way
# only: overlapping ones ("\W+" and "[\w'-]+" both take "'") made the engine try every
# split of a long run of apostrophes and hyphens.
_SEP = r"[^\w'-]+"
_ACTIVE_RE = {
    status: re.compile(
        _WORD_EDGE_L + rf"(?P<verb>{verbs}){_WORD_EDGE_R}"
        rf"(?=(?:{_SEP}{_GAP_WORD}){{0,{_OBJECT_WORDS}}}?{_SEP}(?:\w+')?{_DEAL_NOUN}"
        rf"{_WORD_EDGE_R})"
    )
    for status, verbs in _ACTIVE.items()
    if status != "replaced"
}
# Moves that need no deal noun: "OpenAI rompt avec Microsoft", "replaces Microsoft as...".
_BARE: dict[str, str] = {
    "ended": (r"(?:romp(?:t|ent)|a rompu|coupe(?:nt)? les ponts|divorce(?:nt)?) avec"
              r"|se separe(?:nt)? (?:de|du|des|d')|s'est separee? (?:de|du|des|d')"
              r"|se sont separes (?:de|du|des|d')"
              r"|(?:breaks?|broke) (?:up )?with|splits? (?:up )?with|(?:part(?:s|ed)?) ways"
              r"|cut(?:s|ting)? ties with|divorces?"),
    "replaced": _ACTIVE["replaced"],
}
_BARE_RE = {status: re.compile(_WORD_EDGE_L + rf"(?P<verb>{verbs}){_WORD_EDGE_R}")
            for status, verbs in _BARE.items()}
_PASSIVE_RE = {
    status: re.compile(
        rf"{_WORD_EDGE_L}(?:\w+')?{_DEAL_NOUN}(?:{_SEP}[\w'-]+){{0,{_SUBJECT_WORDS}}}?{_SEP}"
        rf"(?P<verb>{verbs}){_WORD_EDGE_R}"
    )
    for status, verbs in _PASSIVE.items()
}
_NOUN_RE = {status: re.compile(_WORD_EDGE_L + rf"(?P<verb>{p})") for status, p in
            _NOUN_MOVES.items()}
# Verbs with many other uses ("ends the week higher", "boosts shares", "drops 5 %") count
# only with their deal noun right after them: at most two words between.
_TIGHT_VERB = re.compile(
    r"ends?|ended|ending|drop(?:s|ped|ping)?|kill(?:s|ed)?|exit(?:s|ed)?|boost(?:s|ed)?"
    r"|increase[sd]?|extend(?:s|ed|ing)?|expand(?:s|ed|ing)?|widen(?:s|ed)?|deepen(?:s|ed)?"
    r"|broaden(?:s|ed)?|delay(?:s|ed|ing)?|postpone[sd]?|augmente(?:nt)?|renforce(?:nt)?"
    r"|prolonge(?:nt)?|etend(?:ent)?|bloque(?:nt)?|retarde(?:nt)?|lance(?:nt)?|launch(?:es|ed)?"
)
_BINDING_NOUN = (
    r"(?:deals?|agreements?|contracts?|partnerships?|pacts?|alliances?|tie-?ups?|accords?"
    r"|investments?|stakes?|ventures?|collaborations?|commitments?|arrangements?"
    r"|contrats?|partenariats?|investissements?|engagements?|ententes?|coentreprises?"
    r"|pactes?|protocoles?|lettres? d'intention|letters? of intent|lois?|mous?"
    r"|memorand(?:um|a)(?: of understanding)?)"
)
_TIGHT_OBJECT = re.compile(rf"(?:{_SEP}{_GAP_WORD}){{0,2}}?{_SEP}(?:\w+')?{_DEAL_NOUN}"
                           rf"{_WORD_EDGE_R}")
# Signing or sealing binds a deal, not a site or a plan: "signs a lease for the OpenAI site".
_BINDING_OBJECT = re.compile(
    rf"(?:{_SEP}{_GAP_WORD}){{0,{_OBJECT_WORDS}}}?{_SEP}(?:\w+')?{_BINDING_NOUN}{_WORD_EDGE_R}")

# "put the deal on hold": the verb "put" alone is no move; its "on hold" is.
_NEEDS_HOLD = re.compile(r"puts?|placed|places|putting")
_ON_HOLD_AFTER = re.compile(r"(?:[^\w'-]+[\w'-]+){0,8}?[^\w'-]+on (?:hold|ice|pause)\b")

# Words that take the assertion away: a hedge, a condition, a question, a future, a plan.
_HEDGE = re.compile(
    r"(?<![\w'])(?:could|may|might|would|should|will|shall|won't|'ll|can|cannot"
    r"|(?:set|poised|expected|likely|unlikely|about|plans?|planning|planned|aims?|aiming"
    r"|seeks?|seeking|wants?|threatens?|threatening|hopes?|intends?|looks?|looking|going"
    r"|ready|prepares?|preparing|nears?|nearing|close|weighs?|weighing|moves?"
    r"|tipped|urged?|asked|pushing|pushes|rush(?:es)?) to"
    r"|'ll"
    r"|considers?|considering|considered|mulls?|mulling|eyes|eyeing|explores?|exploring"
    r"|studies|studying|weighs|weighing|evaluat\w+|reviews?|reviewing|in talks"
    r"|talks? (?:to|on|over|about)"
    r"|negotiat\w+|discuss\w*|rumou?rs?|rumou?red|reportedly|allegedly|said to|speculat\w+"
    r"|proposals?|proposed|proposes?|potential(?:ly)?|possible|possibly|perhaps|maybe|if"
    r"|unless|whether|nears|nearing|closing in on|edges? closer|on the verge|in the works"
    r"|risks?|fears?|threat\w*|warns?|hypothetical\w*|what if|odds"
    r"|pourr(?:ait|aient|a|ont)|envisag\w*|serai(?:t|ent)|aurai(?:t|ent)|devr(?:ait|aient|a|ont)"
    r"|s'appret\w*|prevoi(?:t|ent) de|song\w* a|reflechi\w*|etudi\w*|menac\w* de"
    r"|rumeurs?|en passe de|sur le point de|vers (?:un|une|la|le)|va|vont|veu(?:t|lent)"
    r"|souhait\w*|negoci\w*|en discussions?|en pourparlers|pourparlers|discut\w*"
    r"|potentiel\w*|eventuel\w*|peut-etre|si|probable\w*|hypoth\w*|projet de|compte\w* (?:sur )?"
    r"|pret a|prete a|possible\w*|selon des rumeurs|d'apres des rumeurs"
    r"|redout\w*|craign\w*|crain(?:t|s|dre)|craintes?|inquiet\w*|s'inquiet\w*|risque\w*"
    r"|faut-il|doit-il|va-t-il|peut-il"
    r"|(?:on|over|about|of) reports?|declin\w* to comment|no comment|sans commentaire)(?![\w'])"
    r"|\?"
)
# "to" right before the verb: "Oracle to scrap OpenAI deal" is a plan, not a move.
_TO_BEFORE = re.compile(r"(?<![\w'])(?:to|de|d'|a)\s*\Z")
_NEGATION = re.compile(
    r"(?<![\w'])(?:not|no|never|neither|nor|none|n't|denies|denied|deny|denying|refutes?"
    r"|refuted|rejects?|rejected|dismiss(?:es|ed)?|rules? out|ruled out|false|fake|without"
    r"|fails? to|failed to|no longer|hasn't|haven't|isn't|aren't|wasn't|didn't|doesn't"
    r"|don't|ne|n'|pas|jamais|aucun|aucune|dement\w*|nie|nient|refute\w*|ecart(?:e|ent)|exclu(?:t|ent)"
    r"|yet to|pas encore|not yet"
    r"|sans|echou\w* a|faux|infirm\w*|contest\w*|lacks?|lacking|absence|manque)(?![\w'])"
    r"|n't\b"
)
# Someone else's deal: "OpenAI rival Anthropic", "un concurrent d'OpenAI".
_THIRD_PARTY = re.compile(
    r"(?<![\w'])(?:rivals?|competitors?|concurrents?|like|unlike|contrairement a"
    r"|copies|mimics?|imite\w*|a l'image d'?)(?![\w'])"
)
# Clause breaks: what follows them is read on its own.
_CLAUSE_RE = re.compile(
    r";|\s(?:but|while|whereas|although|though|amid|even as|as rival|mais|alors que"
    r"|tandis que|bien que|cependant|pourtant|en revanche)\s|\s[-\u2013\u2014]\s|:\s"
)
_PARTY_AFTER_WITH = re.compile(
    r"(?<![\w'])(?:with|avec|between|entre)\s+(?P<name>[A-Z][\w.&-]+)"
)
# Capitalised words that are not parties: months, days, a few headline words.
_NOT_A_PARTY = frozenset(
    """the a an its their his her our this that these those new us u.s. uk eu europe
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday le la les un une des du de son
    sa ses leur leurs ce cette l' d' trump washington congress wall street""".split()
)


@dataclass(frozen=True)
class _Move:
    status: str
    start: int
    end: int
    noun: bool = False  # a noun move ("la fin de l'accord")


def find_statuses(
    text: str,
    matcher: EntityMatcher,
    *,
    tracked: str = "OpenAI",
    partners: Collection[str] | None = None,
) -> list[StatusSignal]:
    """Every status move `text` asserts about a tracked partner's deal with `tracked`.

    `partners` are the names (as `matcher` gives them) that have deals to move; None means
    every name `matcher` knows other than `tracked`. One signal per partner and sentence:
    the first move in it.
    """
    return list(iter_statuses(text, matcher, tracked=tracked, partners=partners))


def iter_statuses(
    text: str,
    matcher: EntityMatcher,
    *,
    tracked: str = "OpenAI",
    partners: Collection[str] | None = None,
) -> Iterator[StatusSignal]:
    from .signals import split_sentences

    # One pass over the whole text first: most items name no deal of the tracked company.
    names = matcher.find(_NAME_HYPHEN.sub(" ", text))
    if (tracked not in names and not _names_maker(text, names, partners)) or not any(
            n != tracked and (partners is None or n in partners) for n in names):
        return
    for sentence in split_sentences(text):
        if len(sentence) > _MAX_SENTENCE:
            continue  # a run-on page is no headline nor a claim about one deal
        seen: set[str] = set()
        for clause_start, clause_end in _clauses(sentence):
            clause = sentence[clause_start:clause_end]
            for move, subject in _moves_in_clause(clause, matcher, tracked, partners):
                if subject in seen:
                    continue
                seen.add(subject)
                yield StatusSignal(move.status, subject, sentence.strip(),
                                   clause[move.start:move.end])


_MAX_SENTENCE = 1000


_MAKER_AFTER = r"(?:'s)? (?:maker|developer|creator|owner|parent)"  # "ChatGPT maker"
_MAKER_BEFORE = (r"(?:maker|developer|creator|owner|parent|createur|editeur|concepteur"
                 r"|developpeur|maison mere|societe mere) (?:of |de |d'|du )(?:the )?")


def _names_maker(text: str, names: Collection[str], partners: Collection[str] | None) -> bool:
    """Whether `text` names the tracked company by its product: "the ChatGPT maker",
    "le créateur de ChatGPT". A product is a tracked name that is no partner (so only
    when the partners are known)."""
    products = [n for n in names if partners is not None and n not in partners]
    if not products:
        return False
    folded = fold(text)
    for name in products:
        product = re.escape(fold(name))
        if re.search(rf"(?<![\w-]){product}{_MAKER_AFTER}(?![\w-])"
                     rf"|{_MAKER_BEFORE}{product}(?![\w-])", folded):
            return True
    return False


def _clauses(sentence: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in _CLAUSE_RE.finditer(sentence):
        yield start, m.start()
        start = m.end()
    yield start, len(sentence)


# "Nvidia-OpenAI deal": a hyphen between two names joins them in a headline; EntityMatcher
# refuses a name glued to a hyphen, so it reads a space there (one character for one).
_NAME_HYPHEN = re.compile(r"(?<=\w)-(?=[A-Z])")


def _moves_in_clause(
    clause: str, matcher: EntityMatcher, tracked: str, partners: Collection[str] | None,
) -> Iterator[tuple[_Move, str]]:
    clause = _NAME_HYPHEN.sub(" ", clause)
    names = matcher.find(clause)
    if tracked not in names and not _names_maker(clause, names, partners):
        return
    wanted = [n for n in names if n != tracked and (partners is None or n in partners)]
    if not wanted:
        return
    folded = fold(clause)
    if _HEDGE.search(folded) or _NEGATION.search(folded) or _THIRD_PARTY.search(folded):
        return
    if _other_party(clause, matcher):
        return
    moves = sorted(_moves(folded), key=lambda m: m.start)
    if not moves:
        return
    # "confirms the end of", "officialise la fin de": the noun names the move, the verb
    # only says it was said.
    nouns = [m for m in moves if m.noun and m.status != "definitive"]
    if nouns and moves[0].status in ("definitive", "announced", "letter-of-intent"):
        moves = nouns
    for move in moves[:1]:  # the first move is what the clause is about
        subject = _subject_of(move, clause, matcher, wanted)
        if subject is not None:
            yield move, subject


def _moves(folded: str) -> Iterator[_Move]:
    definitive_noun = _DEFINITIVE_NOUN.search(folded)
    if definitive_noun is not None:  # "completes a definitive deal": binding, whatever verb
        yield _Move("definitive", definitive_noun.start(), definitive_noun.end())
    for status, pattern in _ACTIVE_RE.items():
        for m in pattern.finditer(folded):
            verb = m.group("verb")
            if _NEEDS_HOLD.fullmatch(verb) and not _ON_HOLD_AFTER.match(folded, m.end()):
                continue
            if _TO_BEFORE.search(folded, 0, m.start()):
                continue  # "to scrap", "de signer", "à suspendre"
            if _TIGHT_VERB.fullmatch(verb) and not _TIGHT_OBJECT.match(folded, m.end()):
                continue
            if status in ("definitive", "letter-of-intent") and not _BINDING_OBJECT.match(
                    folded, m.end()):
                continue
            if status == "announced" and definitive_noun:
                status_here = "definitive"
            elif status == "definitive" and _is_loi(folded, m.end()):
                continue
            else:
                status_here = status
            yield _Move(status_here, m.start("verb"), m.end("verb"))
    for status, pattern in _BARE_RE.items():
        for m in pattern.finditer(folded):
            if not _TO_BEFORE.search(folded, 0, m.start()):
                yield _Move(status, m.start("verb"), m.end("verb"))
    for status, pattern in _PASSIVE_RE.items():
        for m in pattern.finditer(folded):
            yield _Move(status, m.start("verb"), m.end("verb"))
    for status, pattern in _NOUN_RE.items():
        for m in pattern.finditer(folded):
            yield _Move(status, m.start("verb"), m.end("verb"), noun=True)


_LOI_RE = re.compile(
    r".{0,60}?(?:letters? of intent|\blois?\b|memorand|\bmous?\b|non-?binding|framework"
    r"|preliminary|term sheet|lettres? d'intention|protocole d'accord|accord[- ]cadre"
    r"|preliminaire|de principe|non contraignant)"
)


def _is_loi(folded: str, pos: int) -> bool:
    return _LOI_RE.match(folded, pos) is not None


def _subject_of(move: _Move, clause: str, matcher: EntityMatcher,
                wanted: list[str]) -> str | None:
    """The partner whose deal moved: for a replacement, the one named after the verb (what
    is replaced); otherwise, and when none is, the partner named nearest the verb."""
    if len(wanted) == 1:
        return wanted[0]
    if move.status == "replaced":
        after = [n for n in matcher.find(clause[move.end:]) if n in wanted]
        if after:
            return after[0]
    best: tuple[int, str] | None = None
    for name in wanted:
        for pos in _positions(clause, matcher, name):
            distance = min(abs(pos - move.start), abs(pos - move.end))
            if best is None or distance < best[0]:
                best = (distance, name)
    return best[1] if best else wanted[0]


def _positions(clause: str, matcher: EntityMatcher, name: str) -> list[int]:
    return [pos for pos in matcher.begins(clause, len(clause))
            if name in matcher.find(clause[pos:pos + matcher.longest + 1])[:1]]


def _other_party(clause: str, matcher: EntityMatcher) -> bool:
    """Whether the deal's other side is a named company that is not tracked ("signs a
    definitive agreement with Anthropic"). Title Case headlines capitalise every word, so
    the test is skipped for them."""
    words = re.findall(r"[^\W\d_][\w'-]*", clause)
    if len(words) >= 4 and sum(w[0].isupper() for w in words) * 3 >= len(words) * 2:
        return False
    begins = set(matcher.begins(clause, len(clause)))
    for m in _PARTY_AFTER_WITH.finditer(clause):
        if m.group("name").lower().strip(".") in _NOT_A_PARTY:
            continue
        if m.start("name") in begins:
            continue  # a tracked name
        return True
    return False
