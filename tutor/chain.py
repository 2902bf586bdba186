"""Tutor: condense → retrieve → answer → ground. Every front door (CLI, API, evals) uses this."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from tutor.config import Settings
from tutor.errors import ConfigError
from tutor.grounding import ground, neutralise_citations, stems
from tutor.llm import Answerer, Message, get_answerer, resolve_provider
from tutor.llm.base import FOLLOW_UP, last_reply, rule_based_condense, standalone
from tutor.retrieval import RANKER_DEPTH, build_context, fuse, hybrid_search, maximal_marginal_relevance
from tutor.store import Store, definitions_asked, names_in, subject_asked
from tutor.text import LETTER_PREFIXED, asks_code, snippet, squash, with_default_asked, without_terminal_codes
from tutor.timing import StageTimer
from tutor.types import NOT_COVERED, Answer, Citation, Grounding, Hit, Passage

DECLINES = re.compile(r"(do not|don't|does not|doesn't) (cover|mention|say)", re.IGNORECASE)
ECHOED = 200  # characters of a question repeated in a refusal
CODE_CHUNKS = 8  # at most this many chunks more, to give a question asking for code its blocks whole
CODE_BUDGET = 2  # times the context budget, for such a question: a block of 8 chunks is ~1,600 tokens
# Below the relevance floor, the first passage still counts as relevant when it holds at least this
# many of the question's content words, and this share of them: on the `dev` splits no question
# the documents do not answer comes near (at most 1 word of 4 shared).
WORDS_SHARED = 2
SHARE_OF_WORDS = 0.5


SQUASHED_CHARS = 4  # a subject shorter than this, squashed, is found inside too many words


def is_refusal(answer: str) -> bool:
    """An answer that says the documents do not cover the question (and cites nothing for it)."""
    return bool(DECLINES.search(answer))


@dataclass
class Context:
    """What retrieval found for a question: the standalone query, the ranked hits, the passages."""

    query: str
    hits: list[Hit]
    passages: list[Passage]

    @property
    def best_similarity(self) -> float:
        return max((h.dense_similarity for h in self.hits if h.dense_similarity is not None), default=-1.0)


# A term written as code: "max-age=3600", "n_jobs", "sklearn.svm", "fit()".
CODE_TERM = re.compile(r"[A-Za-z][\w.-]*(?:=[\w.-]+|_\w+|\.[A-Za-z]\w+|\(\))")


def with_every_name(
    names: Sequence[str], hits: list[Hit], candidates: list[Hit], *, first: bool = False
) -> list[Hit]:
    """`hits`, with a name the question uses that none of them holds brought in: the best candidate
    holding it takes the last place ("How long does SQLZoo take?" finds the time plans first, by
    "how long"; the SQL page that names SQLZoo is a keyword candidate). With `first`, it comes
    first, the last hit dropped: a word after a one-letter prefix ("What are f-strings?") is one
    keyword search reads without its letter, so hits without it are about something else."""
    hits, slot = list(hits), len(hits) - 1
    for name in dict.fromkeys(names):
        word = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.IGNORECASE)
        if slot < 0 or any(word.search(h.chunk.index_text()) for h in hits):
            continue
        taken = {h.chunk.id for h in hits}
        found = (c for c in candidates if c.chunk.id not in taken and word.search(c.chunk.index_text()))
        if (best := next(found, None)) is not None:
            if first:
                hits = [best, *hits[:-1]]
            else:
                hits[slot] = best
                slot -= 1
    return hits


class Tutor:
    def __init__(self, settings: Settings, store: Store, answerer: Answerer):
        self.settings, self.store, self.answerer = settings, store, answerer

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        provider: str | None = None,
        model: str | None = None,
        store: Store | None = None,
    ) -> Tutor:
        from tutor.embedders import get_embedder

        resolve_provider(settings, provider)  # fail on a bad name before loading anything
        store = store or Store(settings, get_embedder(settings))
        return cls(settings, store, get_answerer(settings, store.embedder, provider, model))

    def retrieve(
        self,
        query: str,
        top_k: int | None = None,
        filters: dict[str, Any] | None = None,
        *,
        names: Sequence[str] = (),
        terms: Sequence[str] = (),
    ) -> list[Hit]:
        """The `top_k` best hits for `query`; each of `names` (as the learner wrote them) that none of
        them holds is brought in from the candidates, if one holds it (see `with_every_name`), and
        each of `terms` first."""
        k = top_k or self.settings.top_k
        depth = max(RANKER_DEPTH, 3 * k if self.settings.mmr else k)
        query = with_default_asked(query)
        candidates = hybrid_search(self.store, query, 3 * k, filters=filters, candidates=depth)
        named = self.store.keyword_index.documents_named(query)
        if len(named) == 1:  # "the edirae roadmap": that page's best passages rank with the rest
            within = {**(filters or {}), "doc_id": next(iter(named))}
            candidates = fuse(
                candidates, hybrid_search(self.store, query, 3 * k, filters=within, candidates=depth)
            )
        if not self.settings.mmr:
            hits = candidates[:k]
        else:
            vectors = self.store.embeddings([h.chunk.id for h in candidates])
            hits = maximal_marginal_relevance(candidates, vectors, k, self.settings.mmr_lambda)
        hits = with_every_name(names, self._with_definitions(query, hits, filters), candidates)
        return with_every_name(terms, hits, candidates, first=True)

    def _with_definitions(self, query: str, hits: list[Hit], filters: dict[str, Any] | None) -> list[Hit]:
        """`hits`, with the passage each definition the question asks for (`definitions_asked`) is
        in first: a hit, else the best passage a scan finds. "What is Memcheck?" ranked "Memcheck is
        a memory error detector" 37th, below every passage of its page that names Memcheck more
        often; the line documenting "--num-callers" was the fifth hit, which the context had no room
        for."""
        first: list[Hit] = []
        for definition in definitions_asked(query) if hits else ():
            if any(definition.pattern.search(h.chunk.text) for h in first):
                continue
            held = next((h for h in hits if definition.pattern.search(h.chunk.text)), None)
            if held is None:
                vector = self.store.embedder.embed_query(query)  # remembered from the search
                if found := self.store.keyword_index.defining(definition, vector, filters):
                    held = Hit(found[0], hits[0].score, dense_similarity=found[1])
            if held is not None:
                first.append(held)
        rest = [h for h in hits if all(h.chunk.id != f.chunk.id for f in first)]
        return [*first, *rest][: len(hits)]

    def _not_covered(
        self, question: str, unknown: Sequence[str] = (), near: Sequence[Hit] = (), foreign: bool = False
    ) -> str:
        """The refusal: why, and the topics the documents do cover, nearest the question first."""
        if foreign:
            why = "the question seems to be in another language than the documents; tutor does not translate"
        elif unknown:
            named = " or ".join(f"“{neutralise_citations(n)}”" for n in unknown)
            why = f"no document mentions {named}"
        else:
            asked = " ".join(question.split())
            asked = asked if len(asked) <= ECHOED else asked[: ECHOED - 1] + "…"  # not a long one whole
            why = f"nothing relevant was found for “{neutralise_citations(asked)}”"
        # The keyword index holds every chunk's metadata in memory: no trip to the store.
        every = sorted({str(m.get("title", "")) for m in self.store.keyword_index.metas} - {""})
        titles = list(dict.fromkeys([h.chunk.title for h in near if h.chunk.title] + every))[:8]
        # Titles are document text, shown to every user: a "[1]" in one must not read as a citation.
        topics = (
            neutralise_citations("; ".join(titles)) if titles else "nothing yet: ingest some documents first"
        )
        return f"{NOT_COVERED} ({why}). I can help with what they do cover, for example: {topics}."

    def gather(
        self,
        question: str,
        history: Sequence[Message] = (),
        *,
        top_k: int | None = None,
        filters: dict[str, Any] | None = None,
        timer: StageTimer | None = None,
    ) -> Context:
        """Condense the question with its history, retrieve, and assemble the numbered passages."""
        question = without_terminal_codes(question)
        timer = timer or StageTimer()
        with timer("condense"):
            query = self.answerer.condense(question, history) if history else question
        with timer("retrieve"):
            # names from the question as asked: a follow-up's condensed query repeats the ones before
            hits = self.retrieve(
                query, top_k, filters, names=names_in(question), terms=LETTER_PREFIXED.findall(question)
            )
            # a question asking for code gets the blocks its hits cut, whole, and room for them
            code = asks_code(question)
            budget = self.settings.context_budget * (CODE_BUDGET if code else 1)
            window = self._code_window if code else self._window
            passages = build_context(hits, budget, self.store.embedder.count_tokens, window)
        # A document's own "[3]" must not pass for a citation, in its text or its title and section
        # (shown as citations and contexts): neutralised before any answerer or client sees them.
        passages = [
            replace(
                p,
                text=neutralise_citations(p.text),
                chunk=replace(
                    p.chunk,
                    title=neutralise_citations(p.chunk.title),
                    section=neutralise_citations(p.chunk.section),
                ),
            )
            for p in passages
        ]
        return Context(query, hits, passages)

    def _window(self, chunk):
        width = self.settings.context_window
        return self.store.keyword_index.around(chunk, width, width) if width else [chunk]

    def _code_window(self, chunk):
        """A hit's window for a question asking for code: the code blocks it cuts, whole."""
        return self.store.keyword_index.whole_code(self._window(chunk), CODE_CHUNKS)

    def covers(self, context: Context) -> bool:
        """Whether the passages are relevant enough to answer from (else tutor declines): the best
        cosine reaches the floor, or the first passage holds most of the question's words. A short
        question has a low cosine even to the passage that answers it ("What book should I read
        first?" and "The recommended first book is …": 0.21)."""
        if not context.passages:
            return False
        if context.best_similarity >= self.settings.relevance_floor:
            return True
        first = context.passages[0].chunk.heading + "\n" + context.passages[0].text
        named = [re.compile(rf"\b{re.escape(name)}\b") for name in names_in(context.query)]
        if any(name.search(first) for name in named):
            return True  # "What does DORA stand for?" (cosine 0.18) and the passage that spells it out
        if len(named) >= 2 and any(
            all(name.search(f"{p.chunk.heading}\n{p.text}") for name in named) for p in context.passages
        ):
            return True  # "… GPT-2 …, compared with GPT-4?" and the fifth passage, the one naming both
        if any(code in first for code in CODE_TERM.findall(context.query)):
            return True  # "What does max-age=3600 mean?" and the passage that uses it
        subject = squash(subject_asked(context.query) or "")
        if len(subject) >= SQUASHED_CHARS and subject in squash(first):
            return True  # "what is catboost" and "CatBoost …"; "what is sql zoo" and "SQLZoo"
        asked = stems(context.query)
        shared = asked & stems(first)
        return len(shared) >= WORDS_SHARED and len(shared) >= SHARE_OF_WORDS * len(asked)

    def unknown_names(self, question: str, history: Sequence[Message] = ()) -> list[str]:
        """Names in the question that no document contains, for an answerer that cannot notice
        them itself (the offline one): "SHAP" asked of a guide that never mentions SHAP. A
        follow-up is read with the learner's questions before it, not with the replies: a reply's
        "eta = 1 / (alpha * (t0 + t))" names nothing the learner asked about."""
        if self.answerer.reads_passages:
            return []
        asked = rule_based_condense(question, history, reply=False) if history else question
        index = self.store.keyword_index
        if names := index.unknown_names(asked):
            return names
        # only then the subject: its typo look-up is the slower test
        return [subject] if (subject := index.unknown_subject(asked)) else []

    def stream(
        self,
        question: str,
        history: Sequence[Message] = (),
        *,
        top_k: int | None = None,
        filters: dict[str, Any] | None = None,
    ) -> Iterator[str | Answer]:
        """Yield answer text as it arrives, then the finished Answer (citations resolved) last:
        condense → retrieve → answer → ground."""
        question = without_terminal_codes(question)
        timer = StageTimer()
        if not filters:
            with timer("roadmap"):
                # a follow-up asking the question before of another topic asks it alone
                whole = standalone(question, history)
                found = self._from_roadmap(whole, ()) if whole else self._from_roadmap(question, history)
            if found is not None:
                draft, passages = found
                answer = self._finish(draft, passages, question)
                answer.provider, answer.timings_ms = "roadmap", timer.done()
                yield answer.answer
                yield answer
                return
        if not self.answerer.reads_passages:  # it matches words: "CodeForge" is the pages' "TheCodeForge"
            question = self.store.keyword_index.in_documents_spelling(question)
        context = self.gather(question, history, top_k=top_k, filters=filters, timer=timer)
        unknown = self.unknown_names(question, history) if context.passages else []
        # the offline answerer matches words: another language's have nothing to match
        foreign = not self.answerer.reads_passages and self.store.keyword_index.in_another_language(question)
        if foreign or unknown or not self.covers(context):
            text = self._not_covered(question, unknown, context.hits, foreign)
            yield text
            yield Answer(text, [], [], Grounding(), True, "none", timer.done(), context.query)
            return
        parts: list[str] = []
        with timer("answer"):
            for token in self.answerer.stream(question, context.passages, list(history)):
                parts.append(token)
                yield token
        with timer("ground"):
            answer = self._finish("".join(parts), context.passages, context.query)
        answer.timings_ms = timer.done()
        yield answer

    def _from_roadmap(
        self, question: str, history: Sequence[Message] = ()
    ) -> tuple[str, list[Passage]] | None:
        """Questions the roadmap folder (`corpus_dir`) answers from its topics' front matter, when
        it has the topic and its file is ingested (tutor/learner/topics.py):

        - "How long does SQL take?": the topic's duration. A follow-up ("how long does that take?")
          asks it of the topic the last reply opened with ("Next for me: SQL for pulling …").
        - "What comes after SQL?": the topics after it in the roadmap's order, and those that list
          it as a prerequisite; "and after that?" asks it of the last topic the last reply named.
        - "Is SQLZoo free?": the resource's `free` flag; "is it free?" asks it of the resources the
          last reply's first sentence names."""
        from tutor.learner.graph import roadmap_graph
        from tutor.learner.topics import (
            AFTER_THAT,
            AFTER_TOPIC,
            ASKS_FREE,
            ASKS_TOPIC_TIME,
            resource_price,
            topic_after,
            topic_opening,
            topic_time,
        )

        after = AFTER_TOPIC.search(question) or (history and AFTER_THAT.search(question))
        priced = ASKS_FREE.search(question)
        if not ASKS_TOPIC_TIME.search(question) and not after and not priced:
            return None
        try:
            graph = roadmap_graph(self.settings.corpus_dir)
        except ConfigError:
            return None
        index = self.store.keyword_index
        if priced and (
            found := resource_price(question, graph, index, last_reply(history) if history else "")
        ):
            return found
        if after:
            return topic_after(question, graph, index, last_reply(history) if history else "")
        found = topic_time(question, graph, index)
        if found is None and history and FOLLOW_UP.search(question):
            topic = topic_opening(last_reply(history), graph)
            if topic is not None:
                found = topic_time(f"How long does {graph.topics[topic].title} take?", graph, index)
        return (found[0], [found[1]]) if found else None

    def _finish(self, draft: str, passages: list[Passage], query: str) -> Answer:
        by_n = {p.n: p for p in passages}
        text, grounding = ground(
            draft, {n: p.cited for n, p in by_n.items()}, self.store.embedder.embed_cached
        )
        cited = sorted({n for s in grounding.sentences for n in s.citations})
        citations = [
            Citation(
                n,
                by_n[n].chunk.source,
                by_n[n].chunk.title,
                by_n[n].chunk.section,
                by_n[n].chunk.extra.get("url") if isinstance(by_n[n].chunk.extra.get("url"), str) else None,
                snippet(by_n[n].text),
                by_n[n].chunk.page,
            )
            for n in cited
        ]
        refused = not text.strip() or (not cited and is_refusal(text))
        if not text.strip():
            text = f"{NOT_COVERED}: the retrieved passages did not contain an answer."
        return Answer(text, citations, passages, grounding, refused, self.answerer.name, {}, query)

    def ground_draft(self, draft: str, passages: list[Passage], query: str) -> Answer:
        """An answer written elsewhere (the learner guide's, tutor/learner/guide.py) checked and cited
        exactly like the answerer's: the same grounding report, the same citations."""
        return self._finish(draft, passages, query)

    def ask(
        self,
        question: str,
        history: Sequence[Message] = (),
        *,
        top_k: int | None = None,
        filters: dict[str, Any] | None = None,
    ) -> Answer:
        result = None
        for event in self.stream(question, history, top_k=top_k, filters=filters):
            result = event
        assert isinstance(result, Answer)
        return result
