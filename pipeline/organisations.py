"""Finds the organisations a section mentions: one entry per body, with all its mentions.

Four sources of names, from the most to the least trusted: the gazetteer (a spaCy SpanRuler over
``resources/organisations.toml``), acronyms defined in the text (``Nom complet (ACR)``), names that
start with a body's head noun (``Comité de contrôle douanier du Ministère…``, from
``resources/entities.toml``), and other acronyms given an article as bodies are (``l'ASEAN``),
reported as unknown so that the gazetteer can be extended. Where they overlap the longest
name wins, so that whole names are kept; a body's secretariat is a mention of the body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache

from . import resources
from .cues import tokens
from .models import Mention, Organisation, Partner
from .nlp import fold, norm

SPANS_KEY = "gazetteer"
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9&]*[A-Z0-9](?:[ \-/][A-Z][A-Za-z0-9]+)?$")
_ARTICLES = ("l'", "le ", "la ", "les ", "l’")


@dataclass(frozen=True)
class Entry:
    name: str
    acronym: str | None
    kind: str


@cache
def gazetteer() -> tuple[Entry, ...]:
    data = resources.load("organisations.toml").get("organisation", [])
    return tuple(Entry(o["name"], o.get("acronym"), o.get("kind", "")) for o in data)


@cache
def gazetteer_patterns() -> tuple[list[dict], list[dict]]:
    """SpanRuler phrase patterns: names and aliases (matched on folded norms), and acronyms (matched
    on their exact spelling)."""
    names, acronyms = [], []
    data = resources.load("organisations.toml").get("organisation", [])
    for i, org in enumerate(data):
        ident = str(i)
        for name in [org["name"], *org.get("aliases", [])]:
            for variant in dict.fromkeys([fold(name), _unaccented(fold(name))]):
                names.append({"label": "ORG", "id": ident, "pattern": variant})
        for acronym in [org.get("acronym"), *org.get("acronyms", [])]:
            if acronym:
                acronyms.append({"label": "ACR", "id": ident, "pattern": acronym})
    return names, acronyms


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@cache
def _entities() -> dict:
    data = resources.load("entities.toml")
    return {key: frozenset(norm(w) for w in value) for key, value in data.items()}


@cache
def _acronym_index() -> dict[str, int]:
    data = resources.load("organisations.toml").get("organisation", [])
    index = {}
    for i, org in enumerate(data):
        for acronym in [org.get("acronym"), *org.get("acronyms", [])]:
            if acronym:
                index[acronym] = i
    return index


@cache
def _name_index() -> dict[str, int]:
    data = resources.load("organisations.toml").get("organisation", [])
    index = {}
    for i, org in enumerate(data):
        for name in [org["name"], *org.get("aliases", [])]:
            index[_key(name)] = i
    return index


def _key(name: str) -> str:
    """Comparison key of a name: folded, without a leading article, single spaces."""
    text = norm(name).strip()
    for article in ("l'", "le ", "la ", "les "):
        if text.startswith(article):
            text = text[len(article):]
    return re.sub(r"[\s\-]+", " ", text).strip()


def _strip_article(text: str) -> str:
    lowered = fold(text).lower()
    for article in _ARTICLES:
        if lowered.startswith(fold(article)):
            return text[len(article):].lstrip()
    return text


@dataclass
class _Candidate:
    start: int  # character offsets into the text
    end: int
    key: str  # what identifies the body: "g<i>" (gazetteer), "a<ACR>", "n<name key>"
    name: str
    acronym: str | None
    rank: int  # 0 gazetteer, 1 defined, 2 head noun, 3 acronym known from neither


def is_acronym(text: str) -> bool:
    return bool(_ACRONYM.match(text)) and sum(c.isupper() or c.isdigit() for c in text) >= 2


def _gazetteer_candidates(doc) -> list[_Candidate]:
    entries = gazetteer()
    out = []
    for span in doc.spans.get(SPANS_KEY, []):
        entry = entries[int(span.id_)]
        out.append(_Candidate(span.start_char, span.end_char, f"g{span.id_}", entry.name, entry.acronym, 0))
    return out


def _head_candidates(doc, known: list[_Candidate]) -> list[_Candidate]:
    """Names that start with a body's head noun and run to the end of the noun phrase."""
    toks = tokens(doc)
    ents = _entities()
    heads, not_heads = ents["org_heads"], ents["not_org_heads"]
    connectors, named_by = ents["name_connectors"], ents["named_by"]
    generic = ents["generic_determiners"]
    known_ends = {c.end for c in known}
    known_starts = {c.start: c for c in known}
    in_known = {t.i for c in known for t in doc.char_span(c.start, c.end, alignment_mode="expand") or ()}
    known_names = {s.start for s in doc.spans.get(SPANS_KEY, []) if s.label_ == "ORG"}
    out = []
    for tok in toks:
        word = norm(tok.text)
        if word not in heads or tok.i in known_names:
            continue  # (a name the gazetteer knows whole is not run on: "… et le crime lutte contre …")
        if tok.i > 0 and norm(toks[tok.i - 1].text) in generic:
            continue
        if tok.i > 1 and norm(toks[tok.i - 1].text) in connectors and _complement_of(doc, tok.i - 1, not_heads):
            continue  # "Initiative des Douanes vertes": a body's word inside the name of something else
        end = tok.i + 1
        while end < len(doc):
            t = toks[end]
            w = norm(t.text)
            if t.is_space or t.is_punct and t.text not in ("/", "-", "'", "&"):
                break
            if t.text == "&":
                end += 1
                continue
            if t.text in ("/", "-"):
                if end + 1 < len(doc) and toks[end + 1].text[:1].isupper() and toks[end - 1].text[:1].isupper():
                    end += 1
                    continue
                break
            if w == "et":
                # "Fiscalité et Union douanière", "de la technologie et de la logistique" continue a
                # name; "… et l'administration", "l'OMD et Europol" start another.
                nxt = toks[end + 1] if end + 1 < len(doc) else None
                nxt2 = toks[end + 2] if end + 2 < len(doc) else None
                complement = any(norm(x.text) in ("sur", "pour", "contre") for x in doc[tok.i:end])
                continues = nxt is not None and nxt2 is not None and (
                    nxt.text[:1].isupper()
                    or norm(nxt.text) in ("de", "du", "des", "d'") and nxt2.pos_ in ("NOUN", "DET")
                    # "sur le commerce et le développement": the complement goes on
                    or complement and norm(nxt.text) in ("le", "la", "les", "l'") and nxt2.text[:1].islower()
                    and nxt2.pos_ == "NOUN")
                if not continues or toks[end - 1].idx + len(toks[end - 1]) in known_ends or nxt.idx in known_starts:
                    break
                end += 1
                continue
            if w in connectors or w.endswith("'"):
                nxt = toks[end + 1] if end + 1 < len(doc) else None
                if nxt is None or norm(nxt.text) in generic:
                    break
                if w == "en" and not nxt.text[:1].isupper():
                    break  # "en Afrique" continues a name, "en vue de" does not
                end += 1
                continue
            finite = t.pos_ == "AUX" or t.pos_ == "VERB" and "Part" not in t.morph.get("VerbForm")
            if finite and not t.text[:1].isupper() or w in not_heads and t.i > tok.i + 1:
                break
            if w in _stop_words():
                break  # "… partenaires Qui vise": a capitalised pronoun is not part of a name
            if t.pos_ in ("NOUN", "PROPN", "ADJ", "X", "NUM", "VERB") or t.text[:1].isupper():
                end += 1  # (a participle such as "conjoint", "chargés" can stand inside a name)
                continue
            break
        # A name does not end on a connector or a participle ("le Bureau régional situé à …").
        while end > tok.i + 1 and (norm(toks[end - 1].text) in connectors or toks[end - 1].text in "/-'"
                                   or _participle_before_complement(doc, end)):
            end -= 1
        span = doc[tok.i:end]
        if any(phrase in norm(span.text) for phrase in ents["generic_phrases"]):
            continue
        inner = span[1:]
        capitalised = [t for t in inner if t.text[:1].isupper()]
        named = bool(capitalised) or any(norm(t.text) in named_by for t in inner)
        # At a sentence's start a capital says nothing: "Administrations des douanes des États membres…"
        sentence_initial = all(t.is_space or t.is_punct for t in doc[tok.sent.start:tok.i])
        if not tok.text[:1].isupper() or sentence_initial:
            if word.endswith(("s", "x")) and word != tok.lemma_.lower():
                continue  # "les administrations des douanes …", "Administrations douanières d'Asie": a class
            if not any(norm(t.text) in named_by
                       or t.pos_ == "PROPN" and t.text[:1].isupper() and t.i not in in_known for t in inner):
                continue  # "l'administration des douanes nationales": generic, not a name
            if _descriptive(doc, tok.i, known_ends):
                continue  # "l'ASFC est l'administration douanière du Canada": says what, not who
        if not named and not _defined_after(doc, span):
            continue
        if len(span) == 1:
            continue
        out.append(_Candidate(span.start_char, span.end_char, "", "", None, 2))
    return out


def _participle_before_complement(doc, end: int) -> bool:
    toks = tokens(doc)
    return toks[end - 1].pos_ == "VERB" and end < len(doc) and toks[end].pos_ in ("ADP", "DET")


def _descriptive(doc, head: int, known_ends: set[int]) -> bool:
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


def _complement_of(doc, connector: int, not_heads: frozenset[str]) -> bool:
    """Whether the word before ``connector`` (skipping articles) names something that is not a body."""
    toks = tokens(doc)
    i = connector - 1
    while i >= 0 and norm(toks[i].text) in ("la", "le", "les", "l'"):
        i -= 1
    return i >= 0 and norm(toks[i].text) in not_heads


@cache
def _stop_words() -> frozenset[str]:
    from .nlp import load

    return frozenset(norm(w) for w in load().Defaults.stop_words)


def _defined_after(doc, span) -> bool:
    toks = tokens(doc)
    end = span.end
    return end + 2 < len(doc) and toks[end].text == "(" and is_acronym(toks[end + 1].text)


def _definitions(doc, text: str, known: list[_Candidate]) -> tuple[list[_Candidate], set[str]]:
    """``Nom complet (ACR)``: the name's span and the acronym's, tied together; and non-body acronyms."""
    toks = tokens(doc)
    ents = _entities()
    out: list[_Candidate] = []
    not_bodies: set[str] = set()
    by_end = {}
    for c in known:
        if c.rank <= 2 and (c.end not in by_end or by_end[c.end].start > c.start):
            by_end[c.end] = c
    for tok in toks:
        if tok.text != "(" or tok.i + 2 >= len(doc) or tok.i == 0:
            continue
        close = next((t.i for t in doc[tok.i + 1: tok.i + 16] if t.text == ")"), None)
        if close is None:
            continue
        before = toks[tok.i - 1]
        if before.is_quote and tok.i > 1:
            before = toks[tok.i - 2]  # « MENA » (Afrique du Nord et Moyen-Orient)
        acronym = _acronym_in(text, doc[tok.i + 1: close])
        if acronym is None:
            # "ACR (Afrique du Nord et Moyen-Orient)": an unknown acronym explained as something other
            # than a body is not one.
            inside = doc[tok.i + 1: close]
            if is_acronym(before.text) and before.text not in _acronym_index() and len(inside) > 1 \
                    and norm(inside[0].text) not in ents["org_heads"]:
                not_bodies.add(before.text)
            continue
        acr_span = doc[tok.i + 1: close]
        long_end = before.idx + len(before.text)
        long = by_end.get(long_end)
        if long is None:
            start = _initials_start(doc, tok.i, acronym)
            head = _nearest_head(doc, tok.i, ents)
            if head is not None and norm(toks[head].text) in ents["not_org_heads"] and (start is None or start <= head):
                not_bodies.add(acronym)  # "Programme régional de sécurité maritime (MASE)"
                continue
            if start is None:
                if _initials_start(doc, tok.i, acronym, lower=True) is not None:
                    not_bodies.add(acronym)  # "opérateur économique agréé (OEA)": a term, not a body
                continue
            first = norm(toks[start].text)
            if first in ents["not_org_heads"] or first not in ents["org_heads"]:
                not_bodies.add(acronym)
                continue
            long = _Candidate(toks[start].idx, long_end, "", "", None, 1)
        else:
            first = norm(text[long.start:long.end].split()[0]) if long.rank > 0 else ""
            if first in ents["not_org_heads"]:
                not_bodies.add(acronym)
                continue
        # One mention covers "Nom complet (ACR)"; the acronym alone then names the body elsewhere.
        out.append(_Candidate(long.start, acr_span.end_char + 1, long.key, long.name, long.acronym or acronym,
                              min(long.rank, 1)))
    return out, not_bodies


def _acronym_in(text: str, inside) -> str | None:
    """The acronym a parenthesis defines: "(ACR)", "(ACR, « English name »)" or "(« English name », ACR)"."""
    whole = text[inside.start_char:inside.end_char] if len(inside) else ""
    if is_acronym(whole):
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


def _nearest_head(doc, paren: int, ents: dict) -> int | None:
    """The nearest capitalised head noun (of a body or of anything else) before a parenthesis."""
    toks = tokens(doc)
    heads = ents["org_heads"] | ents["not_org_heads"]
    for i in range(paren - 1, max(-1, paren - 15), -1):
        if toks[i].text in (".", ";", "(", ")"):
            return None
        if toks[i].text[:1].isupper() and norm(toks[i].text) in heads:
            return i
    return None


def _initials_start(doc, paren: int, acronym: str, lower: bool = False) -> int | None:
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


def _acronym_candidates(doc, text: str, not_bodies: set[str]) -> list[_Candidate]:
    """Acronyms the text neither defines nor the gazetteer knows: a word in capitals, among words that
    are not, given an article as bodies are ("l'ASEAN"), and not a theme's acronym ("SAFE")."""
    ents = _entities()
    toks = tokens(doc)
    articles = {norm(a).split()[-1] for a in ents["acronym_articles"]}
    out = []
    for tok in toks:
        word = tok.text
        if len(word) < 3 or not word.isupper() or not is_acronym(word) or word in not_bodies \
                or _ROMAN.fullmatch(word) or word in _theme_acronyms():
            continue
        if tok.i == 0 or norm(toks[tok.i - 1].text) not in articles:
            continue
        end = text.find("\n", tok.idx)
        line = text[text.rfind("\n", 0, tok.idx) + 1:end if end >= 0 else len(text)]
        if sum(c.islower() for c in line) < sum(c.isupper() for c in line):
            continue  # a line in capitals: emphasis, not an acronym
        out.append(_Candidate(tok.idx, tok.idx + len(word), f"a{word}", word, word, 3))
    return out


_ROMAN = re.compile(r"[IVXLCDM]+")


@cache
def _theme_acronyms() -> frozenset[str]:
    from .themes import vocabulary

    return frozenset(cue for theme in vocabulary() for cue in theme["cues"] if cue.isupper())


def _resolve(cands: list[_Candidate]) -> list[_Candidate]:
    """Longest first; among equals the most trusted; no overlap."""
    chosen: list[_Candidate] = []
    taken: list[tuple[int, int]] = []
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), c.rank, c.start)):
        if any(c.start < e and s < c.end for s, e in taken):
            continue
        chosen.append(c)
        taken.append((c.start, c.end))
    return sorted(chosen, key=lambda c: c.start)


def _identify(c: _Candidate, text: str, secretariat_inner: dict[int, _Candidate]) -> _Candidate:
    """Give a head-noun or defined name its identity: gazetteer entry, acronym or own name."""
    if c.key:
        return c
    surface = _strip_article(text[c.start:c.end])
    name = re.sub(r"\s*\([^()]*\)\s*$", "", surface).strip()
    inner = secretariat_inner.get(c.start)
    if inner is not None:
        return replace(c, key=inner.key, name=inner.name, acronym=inner.acronym)
    gaz = _name_index().get(_key(name))
    if gaz is None and c.acronym:
        gaz = _acronym_index().get(c.acronym)
    if gaz is not None:
        entry = gazetteer()[gaz]
        return replace(c, key=f"g{gaz}", name=entry.name, acronym=entry.acronym or c.acronym)
    name = name[:1].upper() + name[1:]
    key = f"a{c.acronym}" if c.acronym else f"n{_key(name)}"
    return replace(c, key=key, name=name)


def _secretariats(doc, text: str, cands: list[_Candidate]) -> dict[int, _Candidate]:
    """Head-noun names that are a known body's secretariat: start offset -> the body."""
    ents = _entities()
    by_start = {c.start: c for c in cands if c.rank in (0, 1) and c.key}
    out = {}
    for c in cands:
        if c.rank != 2:
            continue
        words = norm(text[c.start:c.end])
        for head in sorted(ents["secretariat_of"], key=len, reverse=True):
            if not words.startswith(head + " "):
                continue
            rest = re.match(r"\s*(de la |de l'|du |des |de )", norm(text[c.start + len(head):c.end]))
            if rest is None:
                continue
            inner_start = c.start + len(head) + rest.end()
            inner = by_start.get(inner_start)
            if inner is not None and inner.end == c.end:
                out[c.start] = inner
    return out


def _with_elision(text: str, start: int) -> int:
    """Include an elided article glued to the name: the mention of the OMD in "l’OMD" is "l’OMD"."""
    glued = start >= 2 and text[start - 1] in "'’" and text[start - 2] in "lL"
    if glued and (start == 2 or not text[start - 3].isalnum()):
        return start - 2
    return start


def find(doc, text: str, partner: Partner | None = None) -> tuple[Organisation, ...]:
    gaz = _gazetteer_candidates(doc)
    heads = _head_candidates(doc, gaz)
    defined, not_bodies = _definitions(doc, text, gaz + heads)
    # What the text itself defines wins over the gazetteer: "cellules de renseignement financier (CRF)"
    # is not the gazetteer's CRF.
    defined_here = {c.acronym for c in defined if c.acronym and not c.key.startswith("g")}
    redefined = not_bodies | {a for a in defined_here if a in _acronym_index()}
    gaz = [c for c in gaz if text[c.start:c.end] not in redefined]
    cands = gaz + heads + defined
    for acronym in defined_here:
        for m in re.finditer(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", text):
            cands.append(_Candidate(m.start(), m.end(), "", "", acronym, 1))
    if partner is not None and partner.acronym and partner.acronym not in _acronym_index():
        for m in re.finditer(rf"(?<![\w-]){re.escape(partner.acronym)}(?![\w-])", text):
            cands.append(_Candidate(m.start(), m.end(), "", "", partner.acronym, 1))
    cands += _acronym_candidates(doc, text, not_bodies | defined_here)
    chosen = _extend_definitions(_resolve(cands), text)
    secretariat_inner = _secretariats(doc, text, cands)
    identified = [_identify(c, text, secretariat_inner) for c in chosen]
    identified = [_link_partner(c, partner, text) for c in identified]
    identified = [_unify_acronym(c, identified) for c in identified]
    identified = sorted(identified + _bare_heads(doc, identified), key=lambda c: c.start)
    orgs: dict[str, list[_Candidate]] = {}
    for c in identified:
        orgs.setdefault(c.key, []).append(c)
    result = []
    for group in orgs.values():
        best = min(group, key=lambda c: (c.rank, -(c.end - c.start)))
        named = next((c for c in group if c.name), best)
        acronym = next((c.acronym for c in group if c.acronym), None)
        mentions = tuple(Mention(text[s:c.end], s, c.end) for c in group for s in [_with_elision(text, c.start)])
        result.append(Organisation(name=named.name or acronym or "", acronym=acronym, mentions=mentions,
                                   source={0: "gazetteer", 1: "defined", 2: "text", 3: "unknown"}[best.rank]))
    return tuple(result)


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


def _bare_heads(doc, found: list[_Candidate]) -> list[_Candidate]:
    """"le Ministère", "la Commission": a head noun alone names the one body of the section so named."""
    toks = tokens(doc)
    ents = _entities()
    taken = [(c.start, c.end) for c in found]
    out = []
    for tok in toks[1:]:
        word = norm(tok.text)
        if word not in ents["org_heads"] or not tok.text[:1].isupper() or tok.is_sent_start:
            continue
        if norm(toks[tok.i - 1].text) not in ("le", "la", "l'") or any(s <= tok.idx < e for s, e in taken):
            continue
        nxt = toks[tok.i + 1] if tok.i + 1 < len(doc) else None
        if nxt is not None and (nxt.pos_ in ("ADJ", "PROPN") or norm(nxt.text) in ents["name_connectors"]):
            continue  # not bare: "la Commission européenne", "le Comité de …"
        named = {c.key: c for c in found if c.name and norm(c.name.split()[0]) == word}
        if len(named) == 1:
            c = next(iter(named.values()))
            out.append(replace(c, start=tok.idx, end=tok.idx + len(tok.text)))
    return out


def _unify_acronym(c: _Candidate, all_cands: list[_Candidate]) -> _Candidate:
    """A bare acronym mention joins the body that the acronym was defined for in this text."""
    if c.key.startswith("a") and not c.name:
        for other in all_cands:
            if other.acronym == c.acronym and other.name:
                return replace(c, key=other.key, name=other.name)
    return c


def _link_partner(c: _Candidate, partner: Partner | None, text: str) -> _Candidate:
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


_STOP = frozenset(
    ["de", "du", "des", "d", "la", "le", "les", "l", "et", "pour", "contre", "sur", "en", "a", "au", "aux"])


def _content_words(name: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", norm(name))
    return frozenset(w.rstrip("s") for w in words if w not in _STOP)


def extract(partner: Partner, doc) -> Partner:
    return replace(partner, organisations=find(doc, partner.text, partner))


def party_label(org: Organisation) -> str:
    return org.acronym or org.name
