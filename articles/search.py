"""Search that understands people: what they type becomes what our articles say.

A query is read word by word, in any order. Punctuation and filler words ("how much does") go; a
word or phrase in the synonym table brings what it means along ("suboxone" also finds
"buprenorphine"); a word no article uses is corrected to the closest word of a title, a terms
list or the synonym table ("withdrawl" is read as "withdrawal"), or left out and said so. Every
remaining word (or one of its meanings) must then be in the article.

On PostgreSQL the words are matched against the stored, GIN-indexed text-search vector (stemmed:
"symptoms" finds "symptom") and corrections come from the trigram indexes on titles and terms
(migration 0003). Elsewhere (SQLite, under `make run`) each word is a case-insensitive substring of
the title, terms, summary or body.

This module imports no model (they import it); querysets are handed in.
"""

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField, TrigramSimilarity
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import BooleanField, Case, Count, Exists, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

MAX_WORDS = 12
# Words that carry no topic: left out, so "how much does rehab cost" means "rehab cost". Also what
# keeps a question from failing on SQLite, which has no stop-word list of its own.
STOP_WORDS = frozenset(
    """
    a about after all also am an and any are as at be been before being but by can could did do does
    doing for from get getting go had has have having he her him his how i if in into is it its just
    me much my no of on or our she should so some than that the their them then there they this those
    to too us was we were what when where which while who whom why will with would you your
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# The same for Spanish queries ("cómo dejar el alcohol" means "dejar alcohol"), written with and
# without accents, as people type on phones.
SPANISH_STOP_WORDS = frozenset(
    """
    a al algo algun alguna algunas alguno algunos ante antes como cómo con cual cuál cuando cuándo de del
    desde donde dónde el él ella ellas ellos en entre es esa ese eso esta está estas este esto estos
    ha hay la las le les lo los me mi mis mucho muy más mas ni no nos o para pero por porque que qué
    se sea ser si sí sin sobre son su sus también te tiene tu tú un una unas uno unos y ya yo
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# How close a word must be to one of ours to be read as a typo of it (pg_trgm's own measure).
CORRECTION_SIMILARITY = 0.45
SHORTEST_CORRECTED = 4  # "mat" or "iop" are too short to guess what they were meant to be
TITLE_WEIGHT, TERMS_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 8, 4, 2, 1
# The stored vector's weights (migration 0003's trigger); the body (d) is what is left.
PARTS = (("a", TITLE_WEIGHT), ("b", TERMS_WEIGHT), ("c", SUMMARY_WEIGHT))

Synonyms = dict[tuple[str, ...], list[str]]


def words(text: str) -> list[str]:
    """Lower-case letters and digits; everything else separates words."""
    return re.findall(r"[^\W_]+", text.lower())


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word padded with two spaces before and one after."""
    grams = set()
    for word in words(text):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams of the two."""
    first, second = trigrams(a), trigrams(b)
    return len(first & second) / len(first | second) if first and second else 0.0


@dataclass
class Group:
    """One thing the visitor asked about: a word or a known phrase, and what it may be written as."""

    typed: str
    alternatives: list[str]
    used: list[str] = field(default_factory=list)  # the alternatives some article contains

    @property
    def shown(self) -> str:
        return self.used[0] if self.used else self.typed


@dataclass
class SearchPlan:
    """What a query was understood to mean, to search with and to tell the visitor."""

    query: str
    groups: list[Group]
    dropped: list[str] = field(default_factory=list)  # words no article has, nor anything close
    backend: "Backend | None" = None

    @property
    def showing(self) -> str:
        """The query as searched, when a word was replaced ("withdrawl" by "withdrawal"), else ""."""
        if all(group.shown == group.typed for group in self.groups):
            return ""
        return " ".join(group.shown for group in self.groups)

    @property
    def also(self) -> list[str]:
        """What synonyms added to the words shown ("rehab" also searched as "treatment")."""
        return [used for group in self.groups for used in group.used[1:]]

    def matches(self, articles: QuerySet) -> QuerySet:
        """Articles with every group (in one of its forms), best first: title, terms, summary, body,
        then the newest."""
        if not self.groups:
            return articles.none()
        return self.backend.ranked(articles, [group.used for group in self.groups])

    def closest(self, articles: QuerySet, limit: int = 3) -> list:
        """For an empty result: articles with any of the words, or a title or terms close to the
        query as a whole."""
        alternatives = [alt for group in self.groups for alt in group.alternatives]
        return list(self.backend.closest(articles, alternatives, self.query)[:limit])


def understand(
    query: str, within: QuerySet, synonyms: Synonyms, backend: "Backend | None" = None, language: str = "en"
) -> SearchPlan:
    """Read a query against the articles it searches (`within`, all in `language`): a word no
    article there has is corrected or left out, so one odd word cannot empty the page."""
    if backend is None:
        backend = POSTGRES_IN.get(language, POSTGRES) if connection.vendor == "postgresql" else TOKENS
    plan = SearchPlan(query, split(query, synonyms, STOP_WORDS_IN.get(language, STOP_WORDS)), backend=backend)
    _find_used(plan.groups, within, backend)
    unmatched = [group for group in plan.groups if not group.used]
    if unmatched:
        corrected = []
        for group in unmatched:
            correction = _correction(group, synonyms, backend.vocabulary(within, group.typed))
            if correction:
                corrected.append(Group(group.typed, _with_synonyms(correction, synonyms)))
        _find_used(corrected, within, backend)
        by_typed = {group.typed: group for group in corrected if group.used}
        plan.dropped = [group.typed for group in unmatched if group.typed not in by_typed]
        plan.groups = [by_typed.get(group.typed, group) for group in plan.groups if group.typed not in plan.dropped]
    return plan


def split(query: str, synonyms: Synonyms, stop_words: frozenset[str] = STOP_WORDS) -> list[Group]:
    """The query's words in groups: the longest known phrase first ("the shakes"), filler words out."""
    typed = words(query)[:MAX_WORDS]
    longest = max((len(phrase) for phrase in synonyms), default=1)
    groups, start = [], 0
    while start < len(typed):
        for size in range(min(longest, len(typed) - start), 0, -1):
            phrase = tuple(typed[start : start + size])
            if phrase in synonyms:
                groups.append(Group(" ".join(phrase), _with_synonyms(" ".join(phrase), synonyms)))
                start += size
                break
        else:
            if typed[start] not in stop_words and typed[start] not in (group.typed for group in groups):
                groups.append(Group(typed[start], [typed[start]]))
            start += 1
    return groups


def _with_synonyms(phrase: str, synonyms: Synonyms) -> list[str]:
    return list(dict.fromkeys([phrase, *synonyms.get(tuple(words(phrase)), [])]))


def _find_used(groups: list[Group], within: QuerySet, backend: "Backend") -> None:
    alternatives = list(dict.fromkeys(alt for group in groups for alt in group.alternatives))
    if not alternatives:
        return
    counts = backend.counts(within, alternatives)
    for group in groups:
        group.used = [alt for alt in group.alternatives if counts[alt]]


def _correction(group: Group, synonyms: Synonyms, vocabulary: Iterable[str]) -> str | None:
    """The closest known word to a typed one (a synonym's phrase, a word of a title or terms)."""
    if " " in group.typed or len(group.typed) < SHORTEST_CORRECTED:
        return None
    candidates = {" ".join(phrase) for phrase in synonyms}
    for text in vocabulary:
        candidates.update(word for word in words(text) if len(word) >= SHORTEST_CORRECTED)
    candidates -= STOP_WORDS | SPANISH_STOP_WORDS | {group.typed}
    scored = sorted(((similarity(group.typed, c), c) for c in candidates), key=lambda sc: (-sc[0], sc[1]))
    return scored[0][1] if scored and scored[0][0] >= CORRECTION_SIMILARITY else None


class Backend(Protocol):
    def counts(self, articles: QuerySet, alternatives: list[str]) -> dict[str, int]: ...
    def vocabulary(self, articles: QuerySet, word: str) -> Iterable[str]: ...
    def ranked(self, articles: QuerySet, groups: list[list[str]]) -> QuerySet: ...
    def closest(self, articles: QuerySet, alternatives: list[str], query: str) -> QuerySet: ...


@contextlib.contextmanager
def indexed_search(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Around a search's queries on PostgreSQL: through the indexes, whatever the planner guesses.

    It prices `@@` and pg_trgm's operators at one operation a row, but each reads a compressed
    vector kept out of line or works out trigrams: with 2,000 articles a scan of the table took
    16-76 ms where the GIN indexes answered in 0.1-10 ms, yet it chose the scan. Also lowers
    `%>`'s threshold (0.6 misses "alchohol" for "alcohol", 0.55) to the one corrections use.
    Both last until the end of the transaction only."""
    if connections[using].vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            # Plain index scans are off too: they walk the publish_at index reading every vector on
            # the way, hoping to stop early. JIT is off because the disabled scans' made-up cost
            # (10^10) would have every small query of the page compiled first: 20-55 ms each (the
            # category list's, measured). One statement: a search pays one round trip for this.
            cursor.execute(
                "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true),"
                " set_config('jit', 'off', true), set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(CORRECTION_SIMILARITY)],
            )
        yield


class PostgresSearch:
    """The stored vectors (migration 0007's trigger): `search_vector` title A, terms B, summary C,
    body D, for matching; `heading_vector` without the body, for ranking. Each article's vector is
    built with its own language's configuration, and queried with the same one: `spanish` stems
    "adicciones" and "adicción" alike and drops accents, so "adiccion" finds both."""

    def __init__(self, config: str = "english"):
        self.config = config

    def phrase(self, alternative: str) -> SearchQuery:
        # phraseto_tsquery: stems each word, drops stop words, keeps a phrase's words in order.
        return SearchQuery(alternative, search_type="phrase", config=self.config)

    def any_of(self, alternatives: list[str]) -> SearchQuery:
        query = self.phrase(alternatives[0])
        for alternative in alternatives[1:]:
            query |= self.phrase(alternative)
        return query

    def counts(self, articles: QuerySet, alternatives: list[str]) -> dict[str, int]:
        # Whether any article has each one, not how many: each EXISTS stops at its first match,
        # found through the GIN index, and no article's vector is read to count.
        checks = {
            f"n{i}": Exists(articles.order_by().filter(search_vector=self.phrase(alt)).values("pk")[:1])
            for i, alt in enumerate(alternatives)
        }
        row = next(iter(articles.order_by().annotate(**checks).values(*checks)[:1]), {})
        return {alt: int(row.get(f"n{i}", False)) for i, alt in enumerate(alternatives)}

    def vocabulary(self, articles: QuerySet, word: str) -> Iterable[str]:
        # `%>` (word similarity) is served by the trigram indexes on title and terms.
        close = Q(title__trigram_word_similar=word) | Q(terms__trigram_word_similar=word)
        with indexed_search(articles.db):
            found = list(articles.order_by().filter(close).values_list("title", "terms")[:20])
        return [f"{title} {terms}" for title, terms in found]

    def in_fields(self, weight: str, alternatives: list[str]) -> Func:
        """True when the words sit in one part of the heading vector: ts_filter keeps the lexemes
        of one weight (a title, b terms, c summary)."""
        part = Func(F("heading_vector"), Value(f"{{{weight}}}"), function="ts_filter", output_field=SearchVectorField())
        return Func(part, self.any_of(alternatives), template="(%(expressions)s)", arg_joiner=" @@ ",
                    output_field=BooleanField())  # fmt: skip

    def score(self, groups: list[list[str]]):
        # Each word scores by the best place it appears in, as TokenSearch scores substrings: a
        # title match outranks any number of mentions in the body.
        total = Value(0)
        for alternatives in groups:
            where = [When(self.in_fields(part, alternatives), then=Value(weight)) for part, weight in PARTS]
            total += Case(*where, default=Value(BODY_WEIGHT), output_field=IntegerField())
        return total

    def ranked(self, articles: QuerySet, groups: list[list[str]]) -> QuerySet:
        query = self.any_of(groups[0])
        for alternatives in groups[1:]:
            query &= self.any_of(alternatives)
        # The WHERE goes through the GIN index; only the matches are scored, from their headings.
        matches = articles.filter(search_vector=query).defer("heading_vector").annotate(rank=self.score(groups))
        return matches.order_by("-rank", "-publish_at", "-pk")

    def closest(self, articles: QuerySet, alternatives: list[str], query: str) -> QuerySet:
        close = Q(title__trigram_similar=query) | Q(terms__trigram_similar=query)
        if alternatives:
            close |= Q(search_vector=self.any_of(alternatives))
            rank = SearchRank(F("heading_vector"), self.any_of(alternatives))
        else:
            rank = Value(0.0)
        nearness = Greatest(TrigramSimilarity("title", query), TrigramSimilarity("terms", query))
        return articles.filter(close).annotate(rank=rank + nearness).order_by("-rank", "-publish_at")


class TokenSearch:
    """Without PostgreSQL's text search: every word a case-insensitive substring of some field."""

    FIELDS = (("title", TITLE_WEIGHT), ("terms", TERMS_WEIGHT), ("summary", SUMMARY_WEIGHT), ("body", BODY_WEIGHT))

    @staticmethod
    def stem(alternative: str) -> str:
        # A plural's stem is a substring of both forms: "symptoms" finds "symptom" too.
        if " " not in alternative and len(alternative) > 4 and alternative.endswith("s") and alternative[-2] != "s":
            return alternative[:-1]
        return alternative

    def found_in(self, name: str, alternatives: list[str]) -> Q:
        found = Q()
        for alternative in alternatives:
            found |= Q(**{f"{name}__icontains": self.stem(alternative)})
        return found

    def anywhere(self, alternatives: list[str]) -> Q:
        found = Q()
        for name, _ in self.FIELDS:
            found |= self.found_in(name, alternatives)
        return found

    def counts(self, articles: QuerySet, alternatives: list[str]) -> dict[str, int]:
        totals = articles.order_by().aggregate(
            **{f"n{i}": Count("pk", filter=self.anywhere([alt])) for i, alt in enumerate(alternatives)}
        )
        return {alt: totals[f"n{i}"] for i, alt in enumerate(alternatives)}

    def vocabulary(self, articles: QuerySet, word: str) -> Iterable[str]:
        for title, terms in articles.order_by().values_list("title", "terms")[:500]:
            yield f"{title} {terms}"

    def score(self, groups: list[list[str]]):
        total = Value(0)
        for alternatives in groups:
            where = [When(self.found_in(name, alternatives), then=Value(weight)) for name, weight in self.FIELDS]
            total += Case(*where, default=Value(0), output_field=IntegerField())
        return total

    def ranked(self, articles: QuerySet, groups: list[list[str]]) -> QuerySet:
        every = Q()
        for alternatives in groups:
            every &= self.anywhere(alternatives)
        return articles.filter(every).annotate(rank=self.score(groups)).order_by("-rank", "-publish_at", "-pk")

    def closest(self, articles: QuerySet, alternatives: list[str], query: str) -> QuerySet:
        if not alternatives:
            return articles.none()
        groups = [[alt] for alt in alternatives]
        return articles.filter(self.anywhere(alternatives)).annotate(rank=self.score(groups)).order_by("-rank")


POSTGRES, TOKENS = PostgresSearch("english"), TokenSearch()
# The text-search configuration for each article language (the trigger of migration 0007 agrees).
POSTGRES_IN = {"en": POSTGRES, "es": PostgresSearch("spanish")}
STOP_WORDS_IN = {"en": STOP_WORDS, "es": SPANISH_STOP_WORDS}
