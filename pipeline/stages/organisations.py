"""Finds the organisations a section mentions: one entry per body, with all its mentions.

Four sources of names, from the most to the least trusted (an organisation's ``source``):

- ``gazetteer``: the spaCy rulers that ``nlp.model`` builds from ``resources/organisations.toml``;
- ``defined``: a name and its acronym in parentheses, whatever the acronym's case (``Nom complet
  (ACR)``, ``(Enabel)``, ``(TradeMark Africa)``);
- ``text``: a name built on a body's head noun with its complements in any case (``l'Agence danoise
  pour le développement international``), a name in another language written word by word in
  capitals around a head of that language (``Ghana Revenue Authority``, ``Servicio Nacional de
  Aduana``) or a compound (``Generalzolldirektion``), and one office of a family of offices the
  gazetteer knows, named in full (``Bureau régional … pour l'Afrique de l'Ouest``);
- ``unknown``: other acronyms given an article as bodies are (``l'ASEAN``), reported so that the
  gazetteer can be extended.

Where they overlap the longest name wins, so that whole names are kept. A name ends before its verb
(``… de la Finlande soutient``) and at a second body of its head (``le Service … et le Service …``).
A body's secretariat is a mention of the body; a name written again without its acronym, or its
head and adjectives alone (``le Bureau régional``), are mentions of the body first named in full.
The words of all these rules are data (``resources/entities.toml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..models import ORGANISATION_SOURCES, Mention, Organisation, Partner
from ..nlp import GAZETTEER_SPANS
from ..nlp.cues import char_span, sentence_of, tokens
from ..text import (
    ARTICLES,
    alternation,
    fold,
    is_acronym,
    is_english,
    is_short_name,
    name_key,
    norm,
    not_french,
    typographic,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from .base import Toolkit

_ROMAN = re.compile(r"[IVXLCDM]+")
# A candidate's rank is the position of its source among the organisation sources (most trusted first).
_RANKS = dict(enumerate(ORGANISATION_SOURCES))
# The longest name, in tokens: the longest bodies' names run to about 20 ("Secrétariat de la Convention
# sur le commerce international des espèces de faune et de flore sauvages menacées d'extinction"). A
# run of capitalised words longer than this is no name, and reading one no further keeps a page made
# of such runs linear.
MAX_NAME_TOKENS = 30
_STOP = frozenset(
    ["de", "du", "des", "d", "la", "le", "les", "l", "et", "pour", "contre", "sur", "en", "a", "au", "aux"])


@dataclass
class _Candidate:
    start: int  # character offsets into the text
    end: int
    key: str  # what identifies the body: "g<i>" (gazetteer), "a<ACR>", "n<name key>"
    name: str
    acronym: str | None
    rank: int  # the index of its source in ORGANISATION_SOURCES: gazetteer, defined, text (head noun), unknown


class Organisations:
    """The organisations stage: fills ``organisations``; needs nothing from earlier stages."""

    fills = "organisations"
    needs: tuple[str, ...] = ()

    def __init__(self, kit: Toolkit) -> None:
        self.gazetteer = kit.resources.gazetteer
        words = kit.resources.entities

        def folded(values) -> frozenset[str]:
            return frozenset(norm(w) for w in values)

        self.capital_heads = folded(words.capitalised_org_heads)
        self.heads = folded(words.org_heads) | self.capital_heads
        # With their accents: "Centré" is no "Centre" (a text written without accents still matches).
        self.accented_heads = frozenset(fold(w).lower() for w in (*words.org_heads, *words.capitalised_org_heads))
        self.foreign_heads = folded(words.foreign_org_heads)
        self.foreign_connectors = frozenset(w for c in folded(words.foreign_connectors) for w in c.split())
        self.head_suffixes = tuple(folded(words.org_head_suffixes))
        self.foreign_articles = folded(words.foreign_articles)
        self.foreign_and = frozenset(["and", "y", "e", "und", "en", "et", "&"])
        self.verb_objects = folded(words.verb_objects)
        self.verb_prepositions = folded(words.verb_prepositions)
        self.not_heads = folded(words.not_org_heads)
        self.any_heads = self.heads | self.not_heads
        self.connectors = folded(words.name_connectors)
        self.named_by = folded(words.named_by)
        self.generic = folded(words.generic_determiners)
        self.generic_phrases = folded(words.generic_phrases)
        self.secretariat_of = sorted(folded(words.secretariat_of), key=len, reverse=True)
        self.acronym_articles = frozenset(norm(a).split()[-1] for a in words.acronym_articles)
        self.stop_words = kit.stop_words
        self.theme_acronyms = kit.resources.themes.acronym_cues

    def extract(self, partner: Partner, doc: Doc) -> Partner:
        return replace(partner, organisations=self.find(doc, partner.text, partner))

    def find(self, doc: Doc, text: str, partner: Partner | None = None) -> tuple[Organisation, ...]:
        gaz = self._gazetteer_candidates(doc)
        heads = self._head_candidates(doc, gaz) + self._foreign_candidates(doc)
        defined, not_bodies = self._definitions(doc, text, gaz + heads)
        # What the text itself defines wins over the gazetteer: "cellules de renseignement financier
        # (CRF)" is not the gazetteer's CRF.
        defined_here = {c.acronym for c in defined if c.acronym and not c.key.startswith("g")}
        redefined = not_bodies | {a for a in defined_here if a in self.gazetteer.by_acronym}
        gaz = [c for c in gaz if text[c.start:c.end] not in redefined]
        cands = gaz + heads + defined
        own = {partner.acronym} if partner is not None and partner.acronym \
            and partner.acronym not in self.gazetteer.by_acronym else set()
        cands += _occurrences(text, defined_here | own)
        cands += self._acronym_candidates(doc, text, not_bodies | defined_here)
        chosen = _extend_definitions(_resolve(cands), text)
        secretariat_inner = self._secretariats(text, cands)
        identified = [self._identify(c, text, secretariat_inner) for c in chosen]
        identified = [_link_partner(c, partner) for c in identified]
        identified = _unify(identified)
        identified = sorted(identified + self._bare_heads(doc, identified), key=lambda c: c.start)
        return tuple(replace(o, name=typographic(o.name)) for o in _named_by_heading(_group(identified, text), partner))

    # --- the gazetteer ---------------------------------------------------------------------------

    def _gazetteer_candidates(self, doc: Doc) -> list[_Candidate]:
        """What the gazetteer's rulers found: names and acronyms of known bodies."""
        entries = self.gazetteer.entries
        out = []
        for span in doc.spans.get(GAZETTEER_SPANS, []):
            entry = entries[int(span.id_)]
            out.append(_Candidate(span.start_char, span.end_char, f"g{span.id_}", entry.name, entry.acronym, 0))
        return out

    # --- names built on a head noun --------------------------------------------------------------

    def _head_candidates(self, doc: Doc, known: list[_Candidate]) -> list[_Candidate]:
        """Names that start with a body's head noun and run to the end of the noun phrase."""
        known_ends = {c.end for c in known}
        known_starts = {c.start for c in known}
        in_known = {t.i for c in known for t in char_span(doc, c.start, c.end)}
        known_names = {s.start: s for s in doc.spans.get(GAZETTEER_SPANS, []) if s.label_ == "ORG"}
        out = []
        inside = 0  # the end of the last name found: a head inside it starts no better name
        for tok in tokens(doc):
            if tok.i < inside:
                continue
            known_name = known_names.get(tok.i)
            if known_name is not None:
                if self.gazetteer.entries[int(known_name.id_)].family:
                    # "Bureau régional de renforcement des capacités pour l'Afrique orientale": one office
                    # of a family of offices the gazetteer knows is that office.
                    end = self._name_end(doc, tok, known_ends - {known_name.end_char}, known_starts)
                    end = _at_a_place(doc, end)
                    if self._more_specific(doc, known_name.end, end):
                        span = doc[tok.i:end]
                        out.append(_Candidate(span.start_char, span.end_char, "", "", None, 2))
                continue
            if not self._may_start_name(doc, tok):
                continue
            end = self._name_end(doc, tok, known_ends, known_starts)
            if self._is_a_name(doc, tok, end, in_known, known_ends):
                span = doc[tok.i:end]
                out.append(_Candidate(span.start_char, span.end_char, "", "", None, 2))
                inside = end
        return out

    def _more_specific(self, doc: Doc, known_end: int, end: int) -> bool:
        """Whether a name that runs on past a family's name to ``end`` names one of its offices: the
        rest says where ("pour l'Afrique orientale et australe", "de l'Asie et du Pacifique")."""
        toks = tokens(doc)
        if end <= known_end + 1 or norm(toks[known_end].text) not in self.connectors | {"a"}:
            return False
        return any(t.text[:1].isupper() for t in doc[known_end + 1:end])

    def _may_start_name(self, doc: Doc, tok: Token) -> bool:
        """A head noun that may start a name: not inside a name the gazetteer knows whole ("… et le
        crime lutte contre …"), not after a generic determiner ("ces services"), and not a body's word
        inside the name of something else ("Initiative des Douanes vertes")."""
        toks = tokens(doc)
        word = norm(tok.text)
        if word not in self.heads or word in self.capital_heads and tok.text[:1].islower():
            return False
        written = fold(tok.text).lower()
        if tok.pos_ in ("VERB", "AUX") or written != norm(tok.text) and written not in self.accented_heads:
            return False  # "Centré sur …" is no "Centre"
        if tok.i > 0 and norm(toks[tok.i - 1].text) in self.generic:
            return False
        return not (tok.i > 1 and norm(toks[tok.i - 1].text) in self.connectors
                    and _complement_of(doc, tok.i - 1, self.not_heads))

    def _name_end(self, doc: Doc, head: Token, known_ends: set[int], known_starts: set[int]) -> int:
        """The token after the last word of the name that starts at ``head``: the noun phrase runs on
        while its words continue it, and does not end on a connector or a participle ("le Bureau
        régional situé à …")."""
        toks = tokens(doc)
        end = head.i + 1
        limit = min(len(doc), head.i + MAX_NAME_TOKENS)
        while end < limit and self._continues(doc, head, end, known_ends, known_starts):
            end += 1
        while end > head.i + 1 and (norm(toks[end - 1].text) in self.connectors or toks[end - 1].text in "/-'"
                                    or _participle_before_complement(doc, end)):
            end -= 1
        return end

    def _continues(self, doc: Doc, head: Token, end: int, known_ends: set[int], known_starts: set[int]) -> bool:
        """Whether token ``end`` continues the name that starts at ``head``."""
        toks = tokens(doc)
        t = toks[end]
        w = norm(t.text)
        if t.is_space or not t.text[:1].isalnum() and t.text not in ("/", "-", "'", "&"):
            return False  # punctuation, and a table's "|"
        if t.text == "&":
            return True
        if t.text[:1].islower() and is_english(t.text):
            return False  # "The Secretariat moved in October": French names go on in French
        if t.text in ("/", "-"):  # "Fiscalité/Union", not "Commission - un"
            return end + 1 < len(doc) and toks[end + 1].text[:1].isupper() and toks[end - 1].text[:1].isupper()
        if w == "et":
            return self._continues_after_and(doc, head, end, known_ends, known_starts)
        if w in self.connectors or w in ("d'", "l'"):
            nxt = toks[end + 1] if end + 1 < len(doc) else None
            if nxt is None or norm(nxt.text) in self.generic:
                return False
            # "en Afrique", "commissionnaires en douane" continue a name, "en vue de" does not
            return w != "en" or nxt.text[:1].isupper() or norm(nxt.text) in self.heads
        finite = t.pos_ == "AUX" or t.pos_ == "VERB" and "Part" not in t.morph.get("VerbForm")
        if t.text[:1].islower() and self._verb_before_object(doc, end):
            return False  # "… de la Finlande soutient le …", "La Fondation participe aux …"
        if finite and not t.text[:1].isupper() or w in self.not_heads and t.i > head.i + 1:
            return False
        if w in self.stop_words and t.pos_ not in ("NOUN", "PROPN", "ADJ"):
            return False  # "… partenaires Qui vise": a capitalised pronoun is not part of a name
        # (a participle such as "conjoint", "chargés" can stand inside a name)
        return t.pos_ in ("NOUN", "PROPN", "ADJ", "X", "NUM", "VERB") or t.text[:1].isupper()

    def _continues_after_and(self, doc: Doc, head: Token, end: int, known_ends: set[int],
                             known_starts: set[int]) -> bool:
        """"Fiscalité et Union douanière", "de la technologie et de la logistique" continue a name;
        "… et l'administration", "l'OMD et Europol" start another."""
        toks = tokens(doc)
        nxt = toks[end + 1] if end + 1 < len(doc) else None
        nxt2 = toks[end + 2] if end + 2 < len(doc) else None
        if nxt is None or self._another_body(doc, head, end + 1) or toks[end - 1].text.isupper():
            return False  # "… et du Service des douanes …", "Secrétariat de l'OMD et Eurojust": two bodies
        if _pair_of_words(toks[end - 1], nxt, self.stop_words):
            return toks[end - 1].idx + len(toks[end - 1]) not in known_ends
        if toks[end - 1].pos_ == "ADJ" and norm(nxt.text) in ("de", "du", "des", "d'") and nxt2 is not None \
                and nxt2.text[:1].islower():
            return False  # "l'Administration des douanes estonienne et des experts": the name has ended
        complement = any(norm(x.text) in ("sur", "pour", "contre") for x in doc[head.i:end])
        continues = nxt is not None and nxt2 is not None and (
            nxt.text[:1].isupper()
            or norm(nxt.text) in ("de", "du", "des", "d'") and nxt2.pos_ in ("NOUN", "DET")
            # "sur le commerce et le développement": the complement goes on
            or complement and norm(nxt.text) in ("le", "la", "les", "l'") and nxt2.text[:1].islower()
            and nxt2.pos_ == "NOUN"
            # "pour l'Asie et le Pacifique": the place goes on
            or complement and norm(nxt.text) in ("le", "la", "les", "l'") and nxt2.text[:1].isupper()
            and norm(nxt2.text) not in self.any_heads)
        return continues and toks[end - 1].idx + len(toks[end - 1]) not in known_ends and nxt.idx not in known_starts

    def _another_body(self, doc: Doc, head: Token, i: int) -> bool:
        """Whether token ``i`` (after "et") starts another body of the same kind: "le Service des
        douanes du Tadjikistan et du Service des douanes kirghize" names two."""
        toks = tokens(doc)
        while i < len(doc) and norm(toks[i].text) in ("de", "du", "des", "d'", "la", "le", "les", "l'"):
            i += 1
        return i < len(doc) and norm(toks[i].text) == norm(head.text)

    def _verb_before_object(self, doc: Doc, i: int) -> bool:
        """Whether the lower-case word at ``i`` is a verb a name runs into (spaCy often tags it a noun):
        followed by what follows a verb and never a noun inside a name ("soutient le", "participe
        également", "finance trois", "coopère avec"); or, after a proper noun, by a preposition no name
        goes on with ("… de la Hongrie finance depuis")."""
        toks = tokens(doc)
        t = toks[i]
        if t.pos_ not in ("NOUN", "VERB") or i + 1 >= len(doc) or i == 0:
            return False
        nxt = toks[i + 1]
        word = norm(nxt.text)
        if word in self.verb_prepositions or toks[i - 1].text[:1].isupper() and nxt.pos_ == "ADP" \
                and word not in self.connectors and word != "a":
            return True
        if nxt.pos_ == "NUM" and not nxt.text[:1].isupper() or nxt.pos_ == "ADV" and nxt.text[:1].islower() \
                and (word in self.stop_words or word.endswith("ment")):
            return True  # "… finance trois ateliers", "La Fondation participe également …"
        if word == "a" and nxt.pos_ == "AUX":
            return False  # "… de coopération technique a signé": the verb is the next word
        prev = toks[i - 1]
        if prev.pos_ == "NOUN" and prev.text[:1].islower() and nxt.pos_ in ("ADP", "DET") \
                and nxt.text[:1].isalpha() and word not in self.connectors:
            return True  # "… de coopération au développement finance depuis 2014": no noun follows a noun
        if word in ("au", "aux"):  # "coopération au développement", but "participe aux travaux"
            return t.pos_ == "VERB" or norm(t.text).endswith("e") and toks[i - 1].text[:1].isupper()
        return word in self.verb_objects

    def _is_a_name(self, doc: Doc, head: Token, end: int, in_known: set[int], known_ends: set[int]) -> bool:
        """Whether ``doc[head.i:end]`` names one body rather than a class of them or a description."""
        span = doc[head.i:end]
        if len(span) == 1 or any(phrase in norm(span.text) for phrase in self.generic_phrases):
            return False
        inner = span[1:]
        named = any(t.text[:1].isupper() for t in inner) or any(norm(t.text) in self.named_by for t in inner)
        word = norm(head.text)
        plural = word.endswith(("s", "x")) and word != head.lemma_.lower()
        # At a sentence's start a capital says less: "Administrations des douanes des États membres…"
        sentence_initial = all(t.is_space or t.is_punct for t in doc[sentence_of(doc, head.i)[0]:head.i])
        qualified = norm(inner[0].text) not in self.connectors or _defined_after(doc, span)
        if word in self.capital_heads and (not qualified or any(t.i in in_known for t in inner)):
            return False  # "le Port de Lomé" is a place, "le Fonds de coopération de l'OMD" the OMD's fund
        if head.text[:1].isupper() and not plural and not named:
            # A head given a capital names one body, whatever the case of its complements ("l'Agence
            # danoise pour le développement international"); so does a heading or a subject without
            # its article ("Agence danoise … a signé"), but not a phrase that starts a sentence
            # ("Service de qualité assuré …"). Not "le Réseau le 30 novembre": a complement is no
            # article, nor a number.
            if sentence_initial and not _stands_alone_or_acts(doc, end):
                return False
            return norm(inner[0].text) not in ("le", "la", "les", "l'") and not any(t.like_num for t in inner) \
                and any(t.pos_ in ("ADJ", "NOUN", "PROPN") for t in inner)
        if not head.text[:1].isupper() or sentence_initial:
            if plural:
                return False  # "les administrations des douanes …", "Administrations douanières d'Asie": a class
            if not any(norm(t.text) in self.named_by
                       or t.pos_ == "PROPN" and t.text[:1].isupper() and t.i not in in_known for t in inner):
                return False  # "l'administration des douanes nationales": generic, not a name
            if _descriptive(doc, head.i, known_ends):
                return False  # "l'ASFC est l'administration douanière du Canada": says what, not who
        return named or _defined_after(doc, span)

    # --- names in other languages ----------------------------------------------------------------

    def _foreign_candidates(self, doc: Doc) -> list[_Candidate]:
        """Names written word by word in capitals around a head in another language: "la Ghana Revenue
        Authority", "le Servicio Nacional de Aduana del Ecuador", "la Generalzolldirektion"."""
        toks = tokens(doc)
        out = []
        i = 0
        while i < len(doc):
            if not self._capitalised(toks[i]) or norm(toks[i].text) in self.foreign_articles:
                i += 1  # "The WCO …": an article starts no name
                continue
            last, k = i, i + 1
            while k < len(doc):
                word = norm(toks[k].text)
                if word in self.foreign_articles and norm(toks[k - 1].text) in self.foreign_and:
                    break  # "the WCO and the Agency": two
                if self._capitalised(toks[k]):
                    last = k
                elif toks[k].text == "-" and not toks[k - 1].whitespace_ and k + 1 < len(doc) \
                        and self._capitalised(toks[k + 1]):
                    pass  # "Direção-Geral"
                elif not (word in self.foreign_connectors or not_french(toks[k].text)) or k - last > 2:
                    break
                k += 1
            words = [norm(t.text) for t in doc[i:last + 1]]
            capitals = sum(self._capitalised(t) for t in doc[i:last + 1])
            headed = any(w in self.foreign_heads for w in words) and capitals >= 2
            compound = any(w.endswith(self.head_suffixes) and len(w) > 8 for w in words)
            if (headed or compound) and last - i < MAX_NAME_TOKENS:
                out.append(_Candidate(toks[i].idx, toks[last].idx + len(toks[last]), "", "", None, 2))
            i = last + 1
        return out

    def _capitalised(self, tok: Token) -> bool:
        """A word of a name in capitals: not a French word that a capital only starts a sentence with."""
        text = tok.text
        return text[:1].isupper() and text[-1:].isalnum() and norm(text) not in self.stop_words \
            and norm(text) not in self.generic

    # --- acronyms defined in the text ------------------------------------------------------------

    def _definitions(self, doc: Doc, text: str, known: list[_Candidate]) -> tuple[list[_Candidate], set[str]]:
        """``Nom complet (ACR)``: the name's span and the acronym's, tied together; and the acronyms the
        text defines as something other than a body."""
        by_end: dict[int, _Candidate] = {}
        for c in known:
            if c.rank <= 2 and (c.end not in by_end or by_end[c.end].start > c.start):
                by_end[c.end] = c
        out: list[_Candidate] = []
        not_bodies: set[str] = set()
        for tok in tokens(doc):
            if tok.text != "(" or tok.i + 2 >= len(doc) or tok.i == 0:
                continue
            close = next((t.i for t in doc[tok.i + 1: tok.i + 16] if t.text == ")"), None)
            if close is not None:
                found = self._definition(doc, text, tok.i, close, by_end, not_bodies)
                if found is not None:
                    out.append(found)
        return out, not_bodies

    def _definition(self, doc: Doc, text: str, paren: int, close: int, by_end: dict[int, _Candidate],
                    not_bodies: set[str]) -> _Candidate | None:
        """The mention "Nom complet (ACR)" the parenthesis at token ``paren`` closes, if it defines a
        body's acronym; an acronym defined as anything else goes to ``not_bodies``."""
        toks = tokens(doc)
        before = toks[paren - 1]
        if before.is_quote and paren > 1:
            before = toks[paren - 2]  # « MENA » (Afrique du Nord et Moyen-Orient)
        inside = doc[paren + 1: close]
        acronym = _acronym_in(text, inside)
        long_end = before.idx + len(before.text)
        if acronym is not None and not is_acronym(acronym) and long_end not in by_end:
            return None  # a short name in mixed case ("(Enabel)") only follows a name found otherwise
        if acronym is None:
            # "ACR (Afrique du Nord et Moyen-Orient)": an unknown acronym explained as something other
            # than a body is not one.
            if is_acronym(before.text) and before.text not in self.gazetteer.by_acronym and len(inside) > 1 \
                    and norm(inside[0].text) not in self.heads:
                not_bodies.add(before.text)
            return None
        long = by_end.get(long_end)
        if long is None:
            long = self._long_form(doc, paren, acronym, long_end, not_bodies)
            if long is None:
                return None
        elif long.rank > 0 and norm(text[long.start:long.end].split()[0]) in self.not_heads:
            not_bodies.add(acronym)
            return None
        # One mention covers "Nom complet (ACR)"; the acronym alone then names the body elsewhere.
        return _Candidate(long.start, inside.end_char + 1, long.key, long.name, long.acronym or acronym,
                          min(long.rank, 1))

    def _long_form(self, doc: Doc, paren: int, acronym: str, long_end: int,
                   not_bodies: set[str]) -> _Candidate | None:
        """The long form no other source found, read back from the acronym's initials; None (and the
        acronym in ``not_bodies``) when it names a programme, a term or anything but a body."""
        toks = tokens(doc)
        start = _initials_start(doc, paren, acronym)
        head = _nearest_head(doc, paren, self.any_heads)
        if head is not None and norm(toks[head].text) in self.not_heads and (start is None or start <= head):
            not_bodies.add(acronym)  # "Programme régional de sécurité maritime (MASE)"
            return None
        if start is None:
            if _initials_start(doc, paren, acronym, lower=True) is not None:
                not_bodies.add(acronym)  # "opérateur économique agréé (OEA)": a term, not a body
            return None
        first = norm(toks[start].text)
        if first in self.not_heads or first not in self.heads and first not in self.foreign_heads:
            not_bodies.add(acronym)
            return None
        return _Candidate(toks[start].idx, long_end, "", "", None, 1)

    # --- acronyms known from neither -------------------------------------------------------------

    def _acronym_candidates(self, doc: Doc, text: str, not_bodies: set[str]) -> list[_Candidate]:
        """Acronyms the text neither defines nor the gazetteer knows: a word in capitals, among words
        that are not, given an article as bodies are ("l'ASEAN"), and not a theme's acronym ("SAFE")."""
        toks = tokens(doc)
        out = []
        in_capitals: dict[int, bool] = {}  # a line's start -> whether the line is written in capitals
        for tok in toks:
            word = tok.text
            if len(word) < 3 or not word.isupper() or not is_acronym(word) or word in not_bodies \
                    or _ROMAN.fullmatch(word) or word in self.theme_acronyms or word in self.gazetteer.by_acronym:
                continue
            if tok.i == 0 or norm(toks[tok.i - 1].text) not in self.acronym_articles:
                continue
            start = text.rfind("\n", 0, tok.idx) + 1
            if start not in in_capitals:
                end = text.find("\n", tok.idx)
                line = text[start:end if end >= 0 else len(text)]
                in_capitals[start] = sum(c.islower() for c in line) < sum(c.isupper() for c in line)
            if in_capitals[start]:
                continue  # a line in capitals: emphasis, not an acronym
            out.append(_Candidate(tok.idx, tok.idx + len(word), f"a{word}", word, word, 3))
        return out

    # --- identity --------------------------------------------------------------------------------

    def _identify(self, c: _Candidate, text: str, secretariat_inner: dict[int, _Candidate]) -> _Candidate:
        """Give a head-noun or defined name its identity: gazetteer entry, acronym or own name."""
        if c.key:
            return c
        surface = _strip_article(text[c.start:c.end])
        # "Groupe consultatif du secteur privé (GCSP) de l'OMD": the acronym is not part of the name
        name = re.sub(r"\s*\([^()]*\)", "", surface).strip()
        inner = secretariat_inner.get(c.start)
        if inner is not None:
            if not inner.key:  # "Secrétariat du Groupe Egmont": the body a name found
                inner = self._identify(inner, text, {})
            return replace(c, key=inner.key, name=inner.name, acronym=inner.acronym)
        gaz = self.gazetteer.find_name(name)
        if gaz is None and c.acronym:
            gaz = self.gazetteer.by_acronym.get(c.acronym)
        if gaz is not None:
            entry = self.gazetteer.entries[gaz]
            return replace(c, key=f"g{gaz}", name=entry.name, acronym=entry.acronym or c.acronym)
        name = name[:1].upper() + name[1:]
        key = f"a{c.acronym}" if c.acronym else f"n{name_key(name)}"
        return replace(c, key=key, name=name)

    def _secretariats(self, text: str, cands: list[_Candidate]) -> dict[int, _Candidate]:
        """Head-noun names that are a known body's secretariat: start offset -> the body."""
        # At one place, a known identity first, then the most trusted source.
        inners = [c for c in cands if c.key or c.rank == 2 or c.acronym]
        by_start = {c.start: c for c in sorted(inners, key=lambda c: (bool(c.key), -c.rank))}
        out = {}
        for c in cands:
            if c.rank != 2:
                continue
            words = norm(text[c.start:c.end])
            for head in self.secretariat_of:
                if not words.startswith(head + " "):
                    continue
                rest = re.match(r"\s*(de la |de l'|du |des |de )", norm(text[c.start + len(head):c.end]))
                if rest is None:
                    continue
                inner = by_start.get(c.start + len(head) + rest.end())
                if inner is not None and inner.end == c.end:
                    out[c.start] = inner
        return out

    def _bare_heads(self, doc: Doc, found: list[_Candidate]) -> list[_Candidate]:
        """"le Ministère", "la Commission": a head noun alone names the one body of the section so named."""
        toks = tokens(doc)
        taken = _Taken(max((c.end for c in found), default=0) + 1)
        for c in found:
            taken.add(c.start, c.end)
        by_word: dict[str, dict[str, _Candidate]] = {}  # a name's first word -> the bodies so named
        for c in found:
            if c.name:
                by_word.setdefault(norm(c.name.split()[0]), {})[c.key] = c
        out = []
        for tok in toks[1:]:
            word = norm(tok.text)
            if word not in self.heads or not tok.text[:1].isupper() or tok.is_sent_start:
                continue
            if norm(toks[tok.i - 1].text) not in ("le", "la", "l'") or taken.overlaps(tok.idx, tok.idx + 1):
                continue
            nxt = toks[tok.i + 1] if tok.i + 1 < len(doc) else None
            if nxt is not None and (nxt.pos_ in ("ADJ", "PROPN") or norm(nxt.text) in self.connectors):
                continue  # not bare: "la Commission européenne", "le Comité de …"
            named = by_word.get(word, {})
            if len(named) == 1:
                c = next(iter(named.values()))
                out.append(replace(c, start=tok.idx, end=tok.idx + len(tok.text)))
        return out


def _occurrences(text: str, acronyms: set[str]) -> list[_Candidate]:
    """Every place one of ``acronyms`` stands as a word of its own, as a defined body's mention (one
    pass over the text, whatever the number of acronyms)."""
    if not acronyms:
        return []
    return [_Candidate(m.start(), m.end(), "", "", m.group(0), 1)
            for m in re.finditer(rf"(?<![\w-])(?:{alternation(acronyms)})(?![\w-])", text)]


def _group(identified: list[_Candidate], text: str) -> tuple[Organisation, ...]:
    """One organisation per identity, with every mention, named by its most trusted candidate."""
    orgs: dict[str, list[_Candidate]] = {}
    for c in identified:
        orgs.setdefault(c.key, []).append(c)
    result = []
    for group in orgs.values():
        best = min(group, key=lambda c: (c.rank, -(c.end - c.start)))
        # The name a definition or the gazetteer gives, before an acronym standing for its own name
        named = min((c for c in group if c.name), key=lambda c: (c.name == c.acronym, c.rank), default=best)
        acronym = next((c.acronym for c in group if c.acronym), None)
        mentions = tuple(Mention(text[s:c.end], s, c.end) for c in group for s in [_with_elision(text, c.start)])
        result.append(Organisation(name=named.name or acronym or "", acronym=acronym, mentions=mentions,
                                   source=_RANKS[best.rank]))
    return tuple(result)


def _strip_article(text: str) -> str:
    lowered = fold(text).lower()
    for article in ARTICLES:  # (folded: "l’" is "l'")
        if lowered.startswith(article):
            return text[len(article):].lstrip()
    return text


def _stands_alone_or_acts(doc: Doc, end: int) -> bool:
    """Whether what ends at ``end`` stands alone (the end of its line or sentence, an acronym in
    parentheses after it) or is the subject of the verb that follows it."""
    toks = tokens(doc)
    if end >= len(doc) or "\n" in toks[end - 1].whitespace_ or toks[end].is_sent_start:
        return True
    nxt = toks[end]
    return nxt.text in ("(", ".", ":", ";") or nxt.pos_ == "AUX" \
        or nxt.pos_ == "VERB" and "Fin" in nxt.morph.get("VerbForm")


def _named_by_heading(orgs: tuple[Organisation, ...], partner: Partner | None) -> tuple[Organisation, ...]:
    """A body the text names only by the heading's acronym takes the heading's name: "FoFaC" under
    "Fondation pour la facilitation du commerce (FoFaC)"."""
    if partner is None or not partner.acronym:
        return orgs
    return tuple(replace(o, name=partner.name) if o.acronym == partner.acronym and o.name == o.acronym
                 and partner.name != partner.acronym else o for o in orgs)


def _at_a_place(doc: Doc, end: int) -> int:
    """``end`` moved past "à Ouagadougou", where a family's office is named by its town."""
    toks = tokens(doc)
    if end + 1 < len(doc) and toks[end].text == "à" and toks[end + 1].text[:1].isupper() \
            and toks[end + 1].pos_ in ("PROPN", "NOUN"):
        end += 2
        while end < len(doc) and toks[end].text[:1].isupper() and toks[end].pos_ == "PROPN":
            end += 1
    return end


def _pair_of_words(prev: Token, nxt: Token, stop_words: frozenset[str]) -> bool:
    """Two words of one kind joined by "et" inside a name: "des transitaires et commissionnaires",
    "des Affaires juridiques et consulaires"."""
    if not nxt.text[:1].islower() or norm(nxt.text) in stop_words:
        return False
    if prev.pos_ == "ADJ" and nxt.pos_ == "ADJ":
        return True  # "pour l'Afrique orientale et australe"
    return prev.pos_ in ("ADJ", "NOUN") and nxt.pos_ in ("ADJ", "NOUN") and prev.text[-1:] in "sx" \
        and nxt.text[-1:] in "sx"


def _participle_before_complement(doc: Doc, end: int) -> bool:
    toks = tokens(doc)
    return toks[end - 1].pos_ == "VERB" and end < len(doc) and toks[end].pos_ in ("ADP", "DET")


def _descriptive(doc: Doc, head: int, known_ends: set[int]) -> bool:
    """A lower-case name after a copula or in apposition to a body describes that body."""
    toks = tokens(doc)
    i = head - 1
    while i >= 0 and norm(toks[i].text) in ("la", "le", "les", "l'", "une", "un"):
        i -= 1
    if i < 0:
        return False
    if toks[i].lemma_ == "être" or norm(toks[i].text) in ("est", "sont", "etait", "devenu", "devenue"):
        return True
    return toks[i].text == "," and i > 0 and toks[i - 1].idx + len(toks[i - 1]) in known_ends


def _complement_of(doc: Doc, connector: int, not_heads: frozenset[str]) -> bool:
    """Whether the word before ``connector`` (skipping articles) names something that is not a body."""
    toks = tokens(doc)
    i = connector - 1
    while i >= 0 and norm(toks[i].text) in ("la", "le", "les", "l'"):
        i -= 1
    return i >= 0 and norm(toks[i].text) in not_heads


def _defined_after(doc: Doc, span: Span) -> bool:
    toks = tokens(doc)
    end = span.end
    return end + 2 < len(doc) and toks[end].text == "(" and is_acronym(toks[end + 1].text)


def _acronym_in(text: str, inside: Span) -> str | None:
    """The acronym a parenthesis defines: "(ACR)", "(ACR, « English name »)" or "(« English name », ACR)"."""
    whole = text[inside.start_char:inside.end_char] if len(inside) else ""
    if is_acronym(whole) or is_short_name(whole):
        return whole
    commas = [t.i for t in inside if t.text == ","]
    if not commas:
        return None
    first = text[inside.start_char:inside.doc[commas[0]].idx]
    last = text[inside.doc[commas[-1]].idx + 1:inside.end_char].strip()
    for candidate in (first.strip(), last):
        if is_acronym(candidate) and candidate.isupper():
            return candidate
    return None


def _nearest_head(doc: Doc, paren: int, heads: frozenset[str]) -> int | None:
    """The nearest capitalised head noun (of a body or of anything else) before a parenthesis."""
    toks = tokens(doc)
    for i in range(paren - 1, max(-1, paren - 15), -1):
        if toks[i].text in (".", ";", "(", ")"):
            return None
        if toks[i].text[:1].isupper() and norm(toks[i].text) in heads:
            return i
    return None


def _initials_start(doc: Doc, paren: int, acronym: str, lower: bool = False) -> int | None:
    """The word that starts the long form: the nearest one before the parenthesis whose initial is
    the acronym's and from which the acronym's letters can be read in order."""
    toks = tokens(doc)
    letters = [c.lower() for c in acronym if c.isalpha()]
    if not letters:
        return None
    lo = max(0, paren - len(letters) * 3 - 4)
    for start in range(paren - 1, lo - 1, -1):
        word = toks[start].text
        if not (lower or word[:1].isupper()) or norm(word[0]) != norm(letters[0]):
            continue
        phrase = norm(" ".join(t.text for t in doc[start:paren]))
        pos = 0
        ok = True
        for letter in letters[1:]:
            pos = phrase.find(norm(letter), pos + 1)
            if pos < 0:
                ok = False
                break
        if ok:
            return start
    return None


def _resolve(cands: list[_Candidate]) -> list[_Candidate]:
    """Longest first; among equals the most trusted; no overlap."""
    chosen: list[_Candidate] = []
    taken = _Taken(max((c.end for c in cands), default=0))
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), c.rank, c.start)):
        if taken.overlaps(c.start, c.end):
            continue
        chosen.append(c)
        taken.add(c.start, c.end)
    return sorted(chosen, key=lambda c: c.start)


class _Taken:
    """The characters of a text already covered by chosen names: a check costs the length of the name
    asked about, not the number of names chosen."""

    def __init__(self, size: int) -> None:
        self.chars = bytearray(size)

    def overlaps(self, start: int, end: int) -> bool:
        return self.chars.find(1, start, end) != -1

    def add(self, start: int, end: int) -> None:
        self.chars[start:end] = b"\x01" * (end - start)


def _with_elision(text: str, start: int) -> int:
    """Include an elided article glued to the name: the mention of the OMD in "l’OMD" is "l’OMD"."""
    glued = start >= 2 and text[start - 1] in "'’" and text[start - 2] in "lL"
    if glued and (start == 2 or not text[start - 3].isalnum()):
        return start - 2
    return start


def _extend_definitions(chosen: list[_Candidate], text: str) -> list[_Candidate]:
    """"Direction générale … (DG HOME) de la Commission européenne" is one name, cut by its acronym."""
    out: list[_Candidate] = []
    skip = -1
    for i, c in enumerate(chosen):
        if i == skip:
            continue
        nxt = chosen[i + 1] if i + 1 < len(chosen) else None
        if nxt is not None and c.rank <= 1 and text[c.end - 1:c.end] == ")" and \
                re.fullmatch(r"\s+(de la |de l['’]|du |des |de )", text[c.end:nxt.start]):
            c = replace(c, end=nxt.end)
            skip = i + 1
        out.append(c)
    return out


def _unify(cands: list[_Candidate]) -> list[_Candidate]:
    """Mentions of one body found apart, joined to it (each rule looks its body up in an index built
    once, so that a section naming thousands of bodies costs no more than their number):
    - a bare acronym joins the body it was defined for in this text;
    - a name written again without its acronym is the body it was defined for: "le Port autonome de
      Lomé (PAL)" and, later, "le Port autonome de Lomé";
    - a head and its adjectives alone, the start of one fuller name found in the section, are that
      body: "le Bureau régional", after "le Bureau régional de renforcement des capacités pour …"."""
    named_acronyms: dict[str, _Candidate] = {}
    defined_names: dict[str, _Candidate] = {}
    for c in cands:
        if c.acronym and c.name:
            named_acronyms.setdefault(c.acronym, c)
            defined_names.setdefault(name_key(c.name), c)
    out = []
    for c in cands:
        other = named_acronyms.get(c.acronym) if c.key.startswith("a") and not c.name and c.acronym else None
        if other is not None:
            c = replace(c, key=other.key, name=other.name)
        other = defined_names.get(name_key(c.name)) if c.key.startswith("n") else None
        if other is not None and other.key != c.key:
            c = replace(c, key=other.key, name=other.name, acronym=other.acronym)
        out.append(c)
    starts: dict[str, dict[str, _Candidate]] = {}  # the first 1-3 words of a name -> the bodies so named
    for c in out:
        words = name_key(c.name).split()
        for n in range(1, min(3, len(words) - 1) + 1):
            starts.setdefault(" ".join(words[:n]), {})[c.key] = c
    for i, c in enumerate(out):
        words = c.name.split()
        if not c.key.startswith("n") or len(words) > 3 or any(norm(w) in _STOP for w in words):
            continue
        longer = {k: o for k, o in starts.get(name_key(c.name), {}).items() if k != c.key}
        if len(longer) == 1:
            o = next(iter(longer.values()))
            out[i] = replace(c, key=o.key, name=o.name, acronym=o.acronym)
    return out


def _link_partner(c: _Candidate, partner: Partner | None) -> _Candidate:
    """A name close to the section's heading is the partner: it takes the heading's acronym."""
    if partner is None or not partner.acronym or c.acronym or not c.name or c.key.startswith("g"):
        return c
    heading_words = _content_words(partner.name)
    words = _content_words(c.name)
    if not heading_words or not words:
        return c
    if norm(c.name.split()[0]) == norm(partner.name.split()[0]) and \
            len(heading_words & words) / len(heading_words) >= 0.75:
        return replace(c, key=f"a{partner.acronym}", acronym=partner.acronym)
    return c


def _content_words(name: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", norm(name))
    return frozenset(w.rstrip("s") for w in words if w not in _STOP)
