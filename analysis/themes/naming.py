"""Names people can read: a short phrase taken from a theme's comments, and secondary keywords.

A theme's name is a phrase its comments write (1 to 3 content words, with the small words
between them as written: "numéro de suivi", "photo refusée", "date du constat"), chosen by

- distinctiveness: class-based TF-IDF over the phrases (BERTopic's c-TF-IDF, counted in
  comments): the share of the theme's comments writing it, times log(1 + A / f), where f is how
  many comments of all themes write it and A the average theme size;
- closeness to the theme's centre: the mean closeness of the comments writing it, relative to
  the theme's mean, so the phrase of its typical comments wins over a side remark's;
- length: a phrase of two or three content words is worth more than a single word.

A French word stands alone as a name only when the comments mostly write it as a noun (after an
article, a possessive or a preposition: "la date", "de suivi"; or an acronym): an adjective, a
participle or a verb ("Parfait", "Clair", "Refusée", "Évitera") is named with what it qualifies,
in a phrase fewer comments write ("Formulaire clair", "Rna refusé"). When no phrase or word is
written often enough, such a phrase also beats a bare keyword.

A name never starts or ends on a stop word, except a negation that opens the complaint ("pas
de numéro de suivi", from data/name_negations.txt), never opens on a word the comments write as
a verb or an attribute ("vous avez *écouté*", "c'est *mieux*": mostly after a pronoun, an
auxiliary or an intensifier), and never on a *filler*: a word that says
nothing about the service ("nice", "top", "bonne", "cheers", "rien"). Fillers are learned from
the corpus, not listed: a word is one when the comments writing it are spread over the themes
as if at random (a chi-squared test against placement in proportion to theme sizes), rather
than gathered in one or two. French first: a theme holding French comments is named from them; a theme of
English comments only keeps an English name, flagged by its ``name_lang``.

The secondary keywords shown beside the name are single words chosen by maximal marginal
relevance: each next keyword is the most distinctive one that is not written by the same
comments as those already chosen (Jaccard of the comments writing them), so they add
information instead of repeating the name.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

from analysis.themes.quotes import MIN_HELD_WORDS, repeats
from analysis.themes.text import Lang, ProcessedText, split_at_placeholders, stem, stop_words
from lab.folding import strip_accents

__all__ = ["Naming", "ThemeNames", "learn_fillers", "name_themes", "phrases_of", "term_weights"]

N_KEYWORDS = 10
MAX_CONTENT_WORDS = 3
# Small words allowed between two content words of a phrase, from data/name_connectors.txt
# ("numéro *de* suivi", "nom *de la* rue"); more than this and the words belong to different thoughts.
MAX_GAP = 2
# A name must be written by this share of the theme's distinct comments (at least two of them):
# a single word by a tenth, a phrase of two or three words by a twentieth. A phrase is preferred
# whenever one qualifies ("date obligatoire" rather than "date").
MIN_COVERAGE = 0.1
MIN_PHRASE_COVERAGE = 0.05
# A name opens on one of the theme's this many most distinctive words.
ANCHORS = 5
# Each extra content word raises a phrase's score by this share (ranking among phrases).
LENGTH_BONUS = 0.6
# A word is a filler when its spread over the themes is compatible with random placement (see
# learn_fillers): chi-squared p-value at least this, written by at least this many comments.
FILLER_P = 0.2
MIN_FILLER_COUNT = 4
# A theme is named in French when at least this many of its comments are French (or a quarter).
MIN_FRENCH = 2
# Phrases are read in at most this many comments per theme (evenly spread over their closeness
# ranks): names are as good and a million comments cost seconds, not minutes.
NAMING_SAMPLE = 1_000
# A word of two to this many letters written in capitals is an acronym, kept so in names.
MAX_ACRONYM = 4
# A comment is compared with at most this many earlier ones sharing each of its word trigrams
# (the latest), to tell whether it repeats one of them.
REPEAT_CANDIDATES = 20
MMR_LAMBDA = 0.7
# With sentence embeddings, the best phrases by c-TF-IDF are embedded and re-ranked by their
# closeness to the theme's centre (KeyBERT's idea), this many per theme.
SHORTLIST = 8
# A phrase preceded by a negation in at least this share of the comments writing it is named
# with it: "pas de numéro de suivi" rather than "numéro de suivi".
NEGATION_SHARE = 0.5
# A word written after a pronoun, an auxiliary or an intensifier (data/name_verb_cues.txt) in at
# least this share of the comments writing it is a verb or an attribute: no name opens on it.
VERB_SHARE = 0.5
# A French word written after an article, a possessive or a preposition (data/name_noun_cues.txt) in
# at least this share of the comments writing it is a noun: it may name a theme alone ("Date",
# "Photo"). Any other word names one only with what it qualifies ("Photo refusée", not "Refusée").
NOUN_SHARE = 0.5

_CLAUSES = re.compile(r"[.;:!?()\[\]«»\"“”…\n/|=+*]+|,|\s[-–—]+\s")
_WORD = re.compile(r"[^\W\d_]+")
_ELISION = {"'", "’", "ʼ"}
# French infinitives of the first two groups, as folded: "tenir", "localiser" (not "mets", "occupe").
_INFINITIVE = re.compile(r"(?:er|ir)$")


@lru_cache(maxsize=8)
def _word_list(name: str) -> frozenset[str]:
    """A list of data/ (one folded word per line, "#" comments)."""
    text = resources.files("analysis.themes").joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class Phrase:
    """One occurrence of a candidate phrase in a comment: its key (content stems) and what was written."""

    key: tuple[str, ...]
    surface: str
    negated: str | None
    #: Written after a pronoun, an auxiliary or an intensifier: its first word is a verb or an attribute here.
    after_cue: bool = False
    #: Written as a noun: after a French article, possessive or preposition, or an acronym ("CAF").
    as_noun: bool = False


def _tokens(clause: str) -> list[tuple[str, str]]:
    """(word, what joins it to the next word as written: "'" for elisions, "-", or " ")."""
    out = []
    for match in _WORD.finditer(clause):
        after = clause[match.end() : match.end() + 1]
        joiner = "'" if after in _ELISION else "-" if after == "-" else " "
        out.append((match.group(0), joiner))
    return out


def _is_acronym(word: str) -> bool:
    """A short word written in capitals ("CAF", "RNA", "SMS"): a noun, named as written."""
    return 2 <= len(word) <= MAX_ACRONYM and word.isupper()


def _as_named(word: str) -> str:
    """A word as a name writes it: lower case, except an acronym written in capitals."""
    return word if _is_acronym(word) else word.lower()


def _is_cue(folded: Sequence[str], tokens: Sequence[tuple[str, str]], start: int, lang: Lang, cues: frozenset[str]) -> bool:
    """Whether the word before `start` shows the French word at `start` is a verb or an attribute."""
    if lang != "fr" or _INFINITIVE.search(folded[start]):
        return False  # "me tenir au courant", "payer en ligne": an infinitive names what people want done
    if start > 1 and tokens[start - 2][1] == "-":
        return False  # an inverted subject ("pouvez-vous ajouter") comes before an infinitive
    return folded[start - 1] in cues


def phrases_of(text: str, lang: Lang, fillers: frozenset[str] = frozenset()) -> set[Phrase]:
    """Every candidate phrase a comment writes: 1-3 content words, small words between them as written."""
    stops = stop_words(lang)
    negations, connectors = _word_list("name_negations.txt"), _word_list("name_connectors.txt")
    cues, articles = _word_list("name_verb_cues.txt"), _word_list("name_noun_cues.txt")
    found: set[Phrase] = set()
    clauses = (clause for part in split_at_placeholders(text) for clause in _CLAUSES.split(part))
    for clause in clauses:
        tokens = _tokens(clause)
        folded = [strip_accents(word.lower()) for word, _joiner in tokens]
        content = [len(word) >= 2 and word not in stops for word in folded]
        for start, word in enumerate(folded):
            if not content[start] or word in fillers:
                continue
            negated = None
            for back in (1, 2):  # "pas de numéro", "aucun suivi", "trop long", "pas d'accusé"
                if start - back >= 0 and folded[start - back] in negations:
                    negated = "".join(w + j for w, j in tokens[start - back : start]).lower()
                    break
            after_cue = start > 0 and _is_cue(folded, tokens, start, lang, cues)
            as_noun = lang == "fr" and (start > 0 and folded[start - 1] in articles or _is_acronym(tokens[start][0]))
            key: list[str] = []
            gap = 0
            for end in range(start, len(tokens)):
                if content[end]:
                    # Stemmed as written (then folded), like ProcessedText.stems: "oublié" -> "oubli",
                    # where the folded "oublie" would give "oubl", a key no surface word maps back to.
                    key.append(stem(tokens[end][0].lower(), lang))
                    gap = 0
                    if folded[end] not in fillers and tokens[end][1] != "'":  # "quelqu'" of "quelqu'un" ends no phrase
                        surface = "".join(_as_named(w) + (j if i < end else "")
                                          for i, (w, j) in enumerate(tokens[start : end + 1], start))
                        found.add(Phrase(tuple(key), " ".join(surface.split()), negated, after_cue, as_noun))
                    if len(key) == MAX_CONTENT_WORDS:
                        break
                else:
                    gap += 1
                    if gap > MAX_GAP or folded[end] not in connectors:
                        break
    return found


def learn_fillers(theme_docs: Sequence[Sequence[ProcessedText]]) -> frozenset[str]:
    """Folded words spread over the themes as if at random: they say nothing about any of them."""
    # For each word written by at least MIN_FILLER_COUNT comments, its counts per theme are
    # compared with random placement in proportion to theme sizes (Pearson's chi-squared with
    # K - 1 degrees of freedom). A word gathered in one theme or two departs from it by far (p
    # below 1e-4 for "date" or "photo"); a filler does not (p above FILLER_P), and it reaches at
    # least three themes, so a word of two neighbouring themes stays a content word.
    from scipy.stats import chi2

    if len(theme_docs) < 3:
        return frozenset()
    sizes = np.array([len(docs) for docs in theme_docs], dtype=np.float64)
    shares = sizes / sizes.sum()
    per_word: dict[str, np.ndarray] = {}
    for c, docs in enumerate(theme_docs):
        for doc in docs:
            for word in {strip_accents(t) for t in doc.tokens}:
                per_word.setdefault(word, np.zeros(len(theme_docs)))[c] += 1
    fillers = set()
    for word, counts in per_word.items():
        n = counts.sum()
        if n < MIN_FILLER_COUNT or (counts > 0).sum() < 3:
            continue
        expected = n * shares
        statistic = float(((counts - expected) ** 2 / expected).sum())
        if chi2.sf(statistic, len(theme_docs) - 1) >= FILLER_P:
            fillers.add(word)
    return frozenset(fillers)


def _distinct_remarks(docs: Sequence[ProcessedText]) -> list[int]:
    """Positions of the comments that repeat no earlier one, by the rule quotes are told apart (`repeats`)."""
    kept: list[int] = []
    short_wordings: set[frozenset[str]] = set()
    keys: list[str] = []
    by_trigram: dict[tuple[str, ...], list[int]] = {}
    for position, doc in enumerate(docs):
        stems = doc.stems
        if len(stems) < MIN_HELD_WORDS:
            wording = frozenset(stems)
            if wording in short_wordings:
                continue
            short_wordings.add(wording)
        else:
            # A run of MIN_HELD_WORDS stems or more shares a trigram: only comments sharing one are compared.
            trigrams = {stems[k : k + 3] for k in range(len(stems) - 2)}
            near = {j for gram in trigrams for j in by_trigram.get(gram, ())[-REPEAT_CANDIDATES:]}
            key = " ".join(stems)
            if repeats(key, (keys[j] for j in sorted(near))):
                continue
            for gram in trigrams:
                by_trigram.setdefault(gram, []).append(len(keys))
            keys.append(key)
        kept.append(position)
    return kept


@dataclass(frozen=True)
class Naming:
    """A theme's name, the language it is written in, and its secondary keywords."""

    label: str
    lang: Lang
    keywords: list[str] = field(default_factory=list)


@dataclass
class ThemeNames:
    """The names of all themes of one analysis, and the fillers learned to make them."""

    names: list[Naming]
    fillers: frozenset[str]


def _sample(members: Sequence[int], limit: int) -> list[int]:
    """Members evenly spread over their order (closest to the centre first), at most `limit`."""
    if len(members) <= limit:
        return list(members)
    step = len(members) / limit
    return [members[int(i * step)] for i in range(limit)]


def _name_lang(docs: Sequence[ProcessedText]) -> Lang:
    french = sum(1 for d in docs if d.lang == "fr")
    return "fr" if french >= MIN_FRENCH or (french and french >= len(docs) / 4) else "en"


def _display(surfaces: Counter[str]) -> str:
    """The spelling most comments wrote; on ties the one with fewest small words, the accented one, shorter."""
    # Fewest words first: "carte refusée" rather than "carte a été refusé" for one key. Then
    # accents: between "carte refusee" and "carte refusée", a typo rarely adds accents.
    def rank(item: tuple[str, int]) -> tuple[int, int, int, int, str]:
        form, count = item
        return (-count, len(form.split()), -sum(1 for ch in form if not ch.isascii()), len(form), form)

    return min(surfaces.items(), key=rank)[0]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _choose(scored: list[tuple[float, tuple[str, ...]]], surfaces: Mapping[tuple[str, ...], Counter[str]],
            centroid: np.ndarray | None, embed: Callable[[list[str]], np.ndarray] | None) -> tuple[str, ...]:
    """The name among scored phrases: a phrase of two or three words when one qualifies, closest to the centre."""
    phrases = [item for item in scored if len(item[1]) > 1] or scored
    ranked = sorted(phrases, key=lambda item: (-item[0], -len(item[1]), item[1]))[:SHORTLIST]
    if embed is None or centroid is None or len(ranked) == 1:
        return ranked[0][1]
    # The shortlist is distinctive already; among it the phrase meaning most what the theme's
    # comments mean wins (names hit their intent's words a little more often: banking77 .79 ->
    # .82 with this re-ranking, clinc150 .65 -> .67; see benchmarks/README-themes.md).
    vectors = embed([_display(surfaces[key]) for _score, key in ranked])
    closeness = vectors @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))
    return ranked[int(np.argmax(closeness))][1]


def _negation(forms: Counter[str] | None, writers: int) -> str:
    """The negation most writers of a phrase put before it ("pas de ", "trop "), if NEGATION_SHARE of them do."""
    if not forms:
        return ""
    form, count = forms.most_common(1)[0]
    return form if count >= NEGATION_SHARE * writers else ""


def _stands(key: tuple[str, ...], display: str, lang: Lang, nominal: set[str], negation: str) -> bool:
    """Whether a phrase names a theme alone: a French word must be a noun, negated ("Trop long") or an infinitive."""
    return (len(key) > 1 or lang != "fr" or key[0] in nominal or bool(negation)
            or strip_accents(display.lower()).endswith("er"))  # "Recontacter" (not "-ir": "clair", "venir")


def _admissible(items: list[tuple[float, tuple[str, ...]]], verbal: set[str], taken: set[str],
                surfaces: Mapping[tuple[str, ...], Counter[str]]) -> list[tuple[float, tuple[str, ...]]]:
    """Phrases opening on no verb, unlike earlier names; each rule gives way when no phrase meets it."""
    items = [item for item in items if item[1][0] not in verbal] or items
    return [item for item in items if _display(surfaces[item[1]]).lower() not in taken] or items


def _mmr(candidates: list[tuple[str, float]], writers: Mapping[str, set[int]], limit: int) -> list[str]:
    """Maximal marginal relevance: distinctive, and not written by the same comments as those chosen."""
    chosen: list[str] = []
    pool = list(candidates)
    top = max((score for _k, score in pool), default=1.0) or 1.0
    while pool and len(chosen) < limit:
        def value(item: tuple[str, float]) -> float:
            key, score = item
            overlap = max((len(writers[key] & writers[c]) / max(len(writers[key] | writers[c]), 1) for c in chosen), default=0.0)
            return MMR_LAMBDA * score / top - (1 - MMR_LAMBDA) * overlap

        best = max(pool, key=lambda item: (value(item), item[0]))
        chosen.append(best[0])
        pool.remove(best)
    return chosen


def name_themes(
    docs: Sequence[ProcessedText],
    members: Sequence[Sequence[int]],
    closeness: Sequence[Sequence[float]],
    *,
    surface_words: Mapping[str, str],
    centroids: Sequence[np.ndarray] | None = None,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> ThemeNames:
    """Name each theme from its comments (members ordered closest to the centre first)."""
    # closeness[c][i]: cosine of members[c][i] to the theme's centre. surface_words maps a stem
    # to the word most often written for it (keywords are shown as words, not stems). With
    # sentence embeddings (`embed` and each theme's mean embedding in `centroids`), the
    # shortlisted phrases are also embedded and the one closest to the theme's centre wins.
    samples = [_sample(list(range(len(m))), NAMING_SAMPLE) for m in members]
    theme_docs = [[docs[members[c][i]] for i in sample] for c, sample in enumerate(samples)]
    fillers = learn_fillers(theme_docs)
    langs = [_name_lang(d) for d in theme_docs]

    # Phrases of every sampled comment, counted once per comment; a comment repeating another
    # (the same words, or a mediator's prefix before them) counts once, so one remark copied
    # three times is no frequent phrase.
    writers: list[dict[tuple[str, ...], set[int]]] = []
    remarks: list[int] = []
    surfaces: dict[tuple[str, ...], Counter[str]] = {}
    negations: dict[tuple[tuple[str, ...], int], Counter[str]] = {}
    frequency: Counter[tuple[str, ...]] = Counter()
    leads: Counter[str] = Counter()
    cued: Counter[str] = Counter()
    as_nouns: Counter[str] = Counter()
    for c, sample in enumerate(samples):
        by_key: dict[tuple[str, ...], set[int]] = {}
        distinct = [sample[k] for k in _distinct_remarks(theme_docs[c])]
        for i in distinct:
            doc = docs[members[c][i]]
            for phrase in phrases_of(doc.text, doc.lang, fillers):
                if len(phrase.key) == 1:
                    leads[phrase.key[0]] += 1
                    cued[phrase.key[0]] += phrase.after_cue
                    as_nouns[phrase.key[0]] += phrase.as_noun
                by_key.setdefault(phrase.key, set()).add(i)
                surfaces.setdefault(phrase.key, Counter())[phrase.surface] += 1
                if phrase.negated and doc.lang == langs[c]:
                    negations.setdefault((phrase.key, c), Counter())[phrase.negated] += 1
        writers.append(by_key)
        remarks.append(len(distinct))
        frequency.update({key: len(ids) for key, ids in by_key.items()})
    average = sum(len(s) for s in samples) / max(len(samples), 1)
    # Words the comments mostly write as a verb or an attribute ("avez écouté", "c'est mieux"):
    # a name opening on one tells what someone did or felt, not what the theme is about.
    verbal = {word for word, count in leads.items() if cued[word] >= VERB_SHARE * count}
    # Words the French comments mostly write as nouns ("la date", "de suivi", "la CAF"): they tell
    # alone what a theme is about. "Parfait", "Clair" or "Refusée" do not.
    nominal = {word for word, count in leads.items() if as_nouns[word] >= max(2, NOUN_SHARE * count)}

    names = []
    taken: set[str] = set()  # names given to earlier (larger) themes: two cards never read alike
    for c, sample in enumerate(samples):
        lang = langs[c]
        in_lang = [i for i in sample if docs[members[c][i]].lang == lang]
        size = max(len(in_lang), 1)
        allowed = set(in_lang)
        near = np.asarray(closeness[c], dtype=np.float64)
        mean_near = float(near[in_lang].mean()) if in_lang else 1.0
        scored: list[tuple[float, tuple[str, ...]]] = []
        fewer: list[tuple[float, tuple[str, ...]]] = []  # phrases written by fewer comments than scored asks
        negated: dict[tuple[str, ...], str] = {}  # the negation a phrase is named with ("pas de ", "trop ")
        unigram_scores: list[tuple[str, float]] = []
        for key, ids in writers[c].items():
            own = ids & allowed
            if not own:
                continue
            distinct = (len(own) / size) * math.log1p(average / frequency[key])
            if len(key) == 1:
                unigram_scores.append((key[0], distinct))
            need = max(2, (MIN_PHRASE_COVERAGE if len(key) > 1 else MIN_COVERAGE) * remarks[c])
            qualified = len(own) >= need or len(in_lang) < 2
            if not qualified and len(key) == 1:
                continue
            close = float(near[list(own)].mean()) / mean_near if mean_near > 0 else 1.0
            score = distinct * max(close, 0.0) * (1 + LENGTH_BONUS * (len(key) - 1))
            (scored if qualified else fewer).append((score, key))
            negated[key] = _negation(negations.get((key, c)), len(own))
        # The name opens on one of the theme's most distinctive words: "quotient familial", not
        # "part le quotient familial".
        openers = [item for item in unigram_scores if item[0] not in verbal] or unigram_scores
        anchors = {k for k, _s in sorted(openers, key=lambda item: (-item[1], item[0]))[:ANCHORS]}
        scored = _admissible([item for item in scored if item[1][0] in anchors] or scored, verbal, taken, surfaces)

        # A word that does not stand is named with what it qualifies, in a phrase fewer comments write
        # ("Rna refusé", "Message final"); alone if no phrase holds it, rather than with an unrelated
        # phrase. When no word is written often enough, a phrase opening on an anchor beats a keyword.
        words = {key[0] for _s, key in scored}
        extending = ([item for item in fewer if words & set(item[1])] if words
                     else [item for item in fewer if item[1][0] in anchors] or fewer)
        standing = [item for item in scored if _stands(item[1], _display(surfaces[item[1]]), lang, nominal, negated[item[1]])]
        pool = standing or _admissible(extending, verbal, taken, surfaces) or scored
        label = ""
        if pool:
            best = _choose(pool, surfaces, None if centroids is None else centroids[c], embed)
            label = negated[best] + _display(surfaces[best])
        in_name = set(best) if pool else set()
        keywords_pool = [(k, s) for k, s in sorted(unigram_scores, key=lambda item: (-item[1], item[0]))
                         if k not in in_name][: 4 * N_KEYWORDS]
        unigram_writers = {k: writers[c][(k,)] for k, _s in keywords_pool}
        keywords = [surface_words.get(k, k) for k in _mmr(keywords_pool, unigram_writers, N_KEYWORDS)]
        if label and label.lower() in taken and keywords:
            label = f"{label} ({keywords[0]})"  # no other phrase qualifies: its first keyword tells them apart
        taken.add(label.lower())
        names.append(Naming(label=_capitalised(label), lang=lang, keywords=keywords))
    return ThemeNames(names=names, fillers=fillers)


# --- term weights: the signature curation replay matches a theme by ---------------------------------

N_SIGNATURE_TERMS = 30


def term_weights(unit_docs: Sequence[ProcessedText], unit_theme: np.ndarray, weights: np.ndarray,
                 n_themes: int) -> list[dict[str, float]]:
    """Per theme, its N_SIGNATURE_TERMS stems by c-TF-IDF (BERTopic: tf(t,c) x log(1 + A / f(t)))."""
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    counter = CountVectorizer(analyzer=_identity)
    counts = counter.fit_transform([d.stems for d in unit_docs]).astype(np.float64)
    vocabulary = counter.get_feature_names_out().tolist()
    kept = unit_theme >= 0
    onehot = sparse.csr_matrix((weights[kept], (unit_theme[kept], np.nonzero(kept)[0])), shape=(n_themes, len(unit_docs)))
    tf = np.asarray((onehot @ counts).todense())
    df = np.asarray((onehot @ (counts > 0).astype(np.float64)).todense())
    idf = np.log1p((tf.sum() / max(n_themes, 1)) / np.maximum(tf.sum(axis=0), 1e-12))
    scores = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1e-12) * idf
    out = []
    for theme in range(n_themes):
        row, written = scores[theme], df[theme]
        # A term must be written in two comments of the theme, so one odd word is no signature.
        eligible = np.nonzero((row > 0) & (written >= min(2, written.max(initial=0))))[0]
        ranked = sorted(eligible, key=lambda t: (-row[t], vocabulary[t]))[:N_SIGNATURE_TERMS]
        out.append({vocabulary[t]: round(float(row[t]), 6) for t in ranked})
    return out


def _identity(stems: Sequence[str]) -> Sequence[str]:
    """Analyzer for documents that are already stems (module level, so estimators pickle)."""
    return stems
