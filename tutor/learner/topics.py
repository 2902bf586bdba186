"""A roadmap topic's passages in the store, and the answer to "how long does <topic> take?" from
the topic's own front matter.

Retrieval finds the time-plans page for "How long does SQL take?" (its title matches "how long"),
never the SQL topic's `duration`, which lives in the front matter and is not embedded. A question of
time that names one ingested topic of the roadmap is answered with that duration, cited to the
file's front matter (quoted as the file writes it); any other question is left to retrieval.
"""

from __future__ import annotations

import re
from collections import Counter

from tutor.entailment import stem
from tutor.grounding import STOPWORDS, content_words, split_sentences, stems
from tutor.learner.graph import RoadmapGraph, Timeline, table_cells
from tutor.store import WORD
from tutor.types import Chunk, Passage

_ = re.IGNORECASE
# "How long does SQL take?", "how many hours for linear algebra?": one topic's time.
ASKS_TOPIC_TIME = re.compile(r"\bhow (long|many hours|much time)\b", _)
# Words of such a question that name no topic.
TIME_WORDS = frozenset(
    {
        "long",
        "hours",
        "hour",
        "much",
        "time",
        "take",
        "takes",
        "taking",
        "learn",
        "learning",
        "study",
        "studying",
        "topic",
        "topics",
        "spend",
        "need",
        "needs",
        "master",
        "finish",
        "get",
        "through",
        "roughly",
        "usually",
        "typically",
        "roadmap",
        "plan",
        "path",
        "whole",
        "entire",
        "course",
        "everything",
        "job",
        "ready",
        "become",
        "machine",
        "ml",
    }
)


def topic_asked(question: str, graph: RoadmapGraph) -> str | None:
    """The one topic a "how long does X take?" question names: the topic whose title or id holds
    at least half of the question's other words, and more of them than any other topic does."""
    if not ASKS_TOPIC_TIME.search(question):
        return None
    return topic_named(question, graph)


def topic_named(text: str, graph: RoadmapGraph, *, whole: bool = False) -> str | None:
    """The one topic `text` names (see `topic_asked`), or None; with `whole`, a topic whose title or
    id has every word of `text` ("linear algebra", not "training a model")."""
    words = {stem(w) for w in content_words(text) - TIME_WORDS}
    if not words:
        return None
    scores = []
    for node in graph.topics.values():
        named = stems(f"{node.title} {node.id.replace('-', ' ')}")
        scores.append((len(words & named), node.id))
    scores.sort(reverse=True)
    best, topic = scores[0] if scores else (0, "")
    runner_up = scores[1][0] if len(scores) > 1 else 0
    return topic if best and best > runner_up and best >= (len(words) if whole else len(words) / 2) else None


GOES_ON_TO = ", the roadmap goes on to "  # how `topic_after` words what comes next


def topic_opening(reply: str, graph: RoadmapGraph) -> str | None:
    """The topic whose title comes first in `reply`'s first sentence (a reply naming what to study
    next, or answering about one topic), if any; in "After X, the roadmap goes on to Y, …" it is
    Y, the topic the reply brings up."""
    sentences = split_sentences(reply)
    first = sentences[0] if sentences else ""
    named = topics_in(first.split(GOES_ON_TO, 1)[-1], graph)
    return named[0] if named else None


# "What comes after SQL?", "what should I learn once I've finished linear algebra?"
AFTER_TOPIC = re.compile(
    r"\b(what|which|where)\b[^?]*?\b(after|once i(?:'ve| have)? (?:done|finished|learned|learnt|covered|"
    r"completed))\s+(?P<topic>[^?.!,]+)",
    _,
)
# "and after that?", "then what?": after what the last reply named
AFTER_THAT = re.compile(
    r"^\W*(and|ok|okay|so|then)?\W*(what\W*)?(comes\W*)?(after (that|this|those)|then what)\W*$", _
)
AFTER_LIMIT = 3  # topics named in one answer


def topics_in(text: str, graph: RoadmapGraph) -> list[str]:
    """The topics whose titles `text` names, in the order it names them (the longer title first
    where two start at one place)."""
    lowered = text.lower()
    found = [(lowered.find(n.title.lower()), -len(n.title), n.id) for n in graph.topics.values()]
    return [topic for at, _, topic in sorted(found) if at >= 0]


def topic_after(
    question: str, graph: RoadmapGraph, index, last_reply: str = ""
) -> tuple[str, list[Passage]] | None:
    """The answer to "what comes after SQL?" (or "and after that?" following a reply that named
    topics), from the roadmap's order: the topics after it, and those that list it as a prerequisite,
    cited to one passage holding each one's front matter (file, title, phase, order, prerequisites).
    None when the question is not one of these, names no topic, or its topics are not ingested."""
    match = AFTER_TOPIC.search(question)
    if last_reply and AFTER_THAT.search(question):  # "what comes after that?" names no topic
        named = topics_in(last_reply, graph)
        topic = named[-1] if named else None
    elif match:
        topic, named = topic_named(match.group("topic"), graph, whole=True), []
    else:
        return None
    if topic is None:
        return None
    order = list(graph.topics)
    later = [t for t in order[order.index(topic) + 1 :] if t not in named][:AFTER_LIMIT]
    builds_on = [t for t in order if topic in graph.topics[t].prerequisites and t not in later + named]
    builds_on = builds_on[:AFTER_LIMIT]
    stored = TopicPassages.of(index).by_topic
    shown = [t for t in [topic, *later, *builds_on] if stored.get(t)]  # say nothing we cannot cite
    if topic not in shown or len(shown) == 1:
        return None
    title = graph.topics[topic].title
    draft = []
    if any(t in shown for t in later):
        steps = ", then ".join(graph.topics[t].title for t in later if t in shown)
        draft.append(f"After {title}{GOES_ON_TO}{steps} [1].")
    if any(t in shown for t in builds_on):
        building = "; ".join(graph.topics[t].title for t in builds_on if t in shown)
        draft.append(f"Topics that list {title} as a prerequisite: {building} [1].")
    # one passage: the front matter of each topic named, as the roadmap's files give it
    lines = []
    for t in dict.fromkeys(shown):
        node = graph.topics[t]
        needs = f"; prerequisites: {', '.join(node.declared)}" if node.declared else ""
        lines.append(f"{node.path}: {node.title} (phase: {node.phase}; order: {node.order}{needs})")
    first = stored[topic][0]
    chunk = Chunk(f"{graph.corpus.name}:roadmap-order", first.doc_id, graph.corpus.name, "Roadmap order",
                  "the topics' front matter", "\n".join(lines), 0)  # fmt: skip
    return " ".join(draft), [Passage(1, chunk, chunk.text)]


def first_sentence(text: str) -> str | None:
    """The first sentence of `text` that reads as one: six words or more, not a heading, list item,
    quote or table row, and not a lead-in whose point is in what follows it ("… its figures:")."""
    for sentence in split_sentences(text):
        words = sentence.split()
        if (
            len(words) >= 6
            and "|" not in sentence
            and not sentence.lstrip().startswith(("#", "-", "*", ">"))
            and not sentence.rstrip().endswith(":")
        ):
            return " ".join(words)
    return None


class TopicPassages:
    """The store's passages of a topic (by the `topic_id` its chunks carry), from the keyword
    index's records in memory: no search needed."""

    _cache: tuple[object, TopicPassages] | None = None

    @classmethod
    def of(cls, index) -> TopicPassages:
        """Built once per keyword index (a new ingest brings a new one)."""
        cached = cls._cache
        if cached is None or cached[0] is not index:
            cached = cls._cache = (index, cls(index))
        return cached[1]

    def __init__(self, index):
        self.by_topic: dict[str, list[Chunk]] = {}
        for chunk_id, text, meta in zip(index.ids, index.texts, index.metas, strict=True):
            topic = meta.get("topic_id")
            if isinstance(topic, str):
                self.by_topic.setdefault(topic, []).append(Chunk.from_record(chunk_id, text, meta))
        for chunks in self.by_topic.values():
            chunks.sort(key=lambda c: (c.source, c.position))

    def opening(self, topic: str) -> tuple[Chunk, str] | None:
        """The topic's first passage that opens with a sentence, and that sentence."""
        for chunk in self.by_topic.get(topic, []):
            sentence = first_sentence(chunk.text)
            if sentence:
                return chunk, sentence
        return None

    def holding(self, timeline: Timeline) -> Chunk | None:
        for chunk in self.by_topic.get(timeline.topic_id, []):
            for line in chunk.text.splitlines():
                cells = table_cells(line)
                if cells and cells[0] == timeline.label:
                    return chunk
        return None


def topic_time(question: str, graph: RoadmapGraph, index) -> tuple[str, Passage] | None:
    """The answer to a question of how long one topic takes, and the passage it cites: the topic's
    front matter (title and duration), from the file as ingested; for a topic without a duration
    whose text gives no time either, that it has none and what the plan counts. None when the
    question names no single topic, the topic is not ingested, or its text may give the time."""
    topic = topic_asked(question, graph)
    node = graph.topics.get(topic) if topic else None
    chunks = TopicPassages.of(index).by_topic.get(topic) if node else None
    if not node or not chunks:
        return None
    first = chunks[0]
    if node.duration:
        text = f"title: {node.title}\nduration: {node.duration}"  # the front matter's own lines
        answer = f"{node.title}: {node.duration} [1]."
    elif any(TIME_FIGURE.search(c.text) for c in chunks):
        return None  # its text may say it: retrieval finds it
    else:  # "How long does plotting take?" was answered with another topic's "about 8 hours"
        plan = f"tutor's plan counts {node.hours:g} hours"
        text = f"title: {node.title}\n(no duration in the front matter; {plan})"
        answer = f"{node.title}: the roadmap gives this topic no duration; {plan} for it [1]."
    header = Chunk(f"{first.doc_id}:front-matter", first.doc_id, first.source, node.title, "front matter",
                   text, 0, extra=first.extra)  # fmt: skip
    return answer, Passage(1, header, text)


# A length of time in a topic's text ("about 6 hours", "2–3 weeks", "about a week", "a few days").
TIME_FIGURE = re.compile(
    r"(?:\d|\b(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|few|couple of|several))"
    r"\s*(?:[-–]\s*\w+\s*)?(?:hours?|hrs?|h|days?|evenings?|weekends?|weeks?|months?)\b",
    _,
)


# "Is SQLZoo free?", "is it free?", "how much does the Udemy course cost?": a resource's price (not
# "where can I train for free?" nor "what does it pay?").
ASKS_FREE = re.compile(
    r"^\W*(?:and\s+)?(?:is|are)\b[^?]*\b(?:free|paid)\b"
    r"|\b(?:how much|what) (?:does|do|is|are)\b[^?]*\b(?:cost|price)\b",
    _,
)
# Words of a resource's title that name no resource in particular.
RESOURCE_KIND_WORDS = frozenset(
    (  # noqa: SIM905 (30 words, one a line, read worse)
        "learn course tutorial tutorials documentation docs introduction intro guide basics machine "
        "learning python deep data free audit coursera udemy edx"
    ).split()
)


def title_words(text: str, *, names: bool = False) -> set[str]:
    """The words of `text` that may name something: lower-cased, three letters or more, no stopword;
    with `names`, only those written as a name (a capital, a digit or a dot: "SQLZoo", "fast.ai")."""
    words = [w for w in WORD.findall(text) if len(w) >= 3]
    if names:
        words = [w for w in words if w != w.lower() or any(c.isdigit() or c == "." for c in w)]
    return {w.lower() for w in words} - STOPWORDS


def resources_named(text: str, graph: RoadmapGraph) -> list[tuple[str, object]]:
    """(topic, resource) for each front-matter resource `text` names by a word of its title that few
    other titles have ("SQLZoo", "fast.ai", "Karpathy", "3Blue1Brown"; not "Kaggle"), in roadmap
    order, once each."""
    words = title_words(text)
    resources = {r.title: (node.id, r) for node in graph.topics.values() for r in node.resources}
    own = {t: title_words(t, names=True) - RESOURCE_KIND_WORDS for t in resources}
    seen = Counter(w for kept in own.values() for w in kept)
    return [resources[t] for t in resources if {w for w in own[t] if seen[w] <= NAMING_TITLES} & words]


def resource_price(
    question: str, graph: RoadmapGraph, index, last_reply: str = ""
) -> tuple[str, list[Passage]] | None:
    """The answer to "is SQLZoo free?" (or "is it free?" after a reply naming SQLZoo first) from
    the resources of the roadmap's front matter, each cited to its topic's front matter as the file
    lists it. None when the question is not about a price or names no ingested resource."""
    if not ASKS_FREE.search(question):
        return None
    named = resources_named(question, graph)
    if not named and last_reply:
        sentences = split_sentences(last_reply)
        named = resources_named(sentences[0], graph) if sentences else []
    entries: dict[str, list[str]] = {}
    lines = []
    for topic, resource in named[:MAX_RESOURCES]:
        if not TopicPassages.of(index).by_topic.get(topic):
            continue
        entries.setdefault(topic, []).append(
            f"- title: {resource.title}\n  free: {str(resource.free).lower()}"
        )
        price = "free" if resource.free else "paid"
        lines.append(f"{resource.title}: {price} [{list(entries).index(topic) + 1}].")
    passages = []
    for n, (topic, listed) in enumerate(entries.items(), start=1):
        first, text = TopicPassages.of(index).by_topic[topic][0], "resources:\n" + "\n".join(listed)
        header = Chunk(f"{first.doc_id}:front-matter", first.doc_id, first.source, graph.topics[topic].title,
                       "front matter", text, 0, extra=first.extra)  # fmt: skip
        passages.append(Passage(n, header, text))
    return (" ".join(lines), passages) if lines else None


MAX_RESOURCES = 3  # resources priced in one answer
NAMING_TITLES = 2  # a word in the titles of at most this many resources names them ("3Blue1Brown")
