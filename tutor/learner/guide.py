"""Questions about a learner's own path ("what should I do next?", "how long have I got left?",
"what's on this week?"), answered from that learner's state and plan, cited and grounded like any
answer; every other question goes to the Tutor as before.

The intent is read by fixed patterns, conservatively: a question must ask about the learner's own
next step, what is left, this week, their progress or their plan, and must not state facts of its
own ("I know pandas, what next?" is a roadmap question: the record may not say so). The answer is
composed from the learner's record (passage [1]: their progress and plan, as computed) and the
topic files' passages in the store (the first sentences of the topics it names, the publishers'
timeline rows), then grounded by `Tutor.ground_draft`: the same citations and grounding report.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from tutor.chain import Tutor
from tutor.errors import ConfigError
from tutor.learner.durations import format_hours
from tutor.learner.graph import RoadmapGraph, Timeline
from tutor.learner.paths import StudyPlan, Week, next_topics, phase_words, progress_report, study_plan
from tutor.learner.service import Learners
from tutor.learner.state import LearnerState
from tutor.learner.topics import AFTER_THAT, TopicPassages, topics_in
from tutor.timing import StageTimer
from tutor.types import NOT_COVERED, Answer, Chunk, Passage


class Intent(StrEnum):
    NEXT = "next"
    REMAINING = "remaining"
    THIS_WEEK = "this_week"
    NEXT_WEEK = "next_week"
    PROGRESS = "progress"
    PLAN = "plan"


_ = re.IGNORECASE
# A question that tells its own facts is about the roadmap, whatever the record says.
STATES_FACTS = re.compile(
    r"\b(i (already |just |now )?(know|knew|learned|learnt|understand|can|finished|completed|did|studied|"
    r"covered|mastered|have (already |just )?(learned|learnt|done|finished|completed|studied|covered))"
    r"|i've (already |just )?(learned|learnt|done|finished|completed|studied|covered)"
    r"|i'm (already )?(good|fluent|comfortable|done with|through with)|if i|suppose i|say i)\b",
    _,
)
PATTERNS: list[tuple[Intent, re.Pattern]] = [
    (Intent.THIS_WEEK, re.compile(r"\bthis week\b|\btoday\b|\bthis weekend\b", _)),
    (Intent.NEXT_WEEK, re.compile(r"\bnext week\b", _)),
    (
        Intent.REMAINING,
        re.compile(
            r"\bhow (long|much|many)\b[^?.!]*\b(left|remain|remaining|to go)\b"
            r"|\bwhen (will|would|can|could|do|shall|am) i\b[^?.!]*"
            r"\b(finish|finished|done|complete|ready|through)\b"
            # ... but "when will I finish the SQLZoo tutorial?" asks about one resource
            r"(?!\s+(the|a|an|this|that)\s+(?!(whole\s+|entire\s+)?(roadmap|plan|path|curriculum|program)\b))"
            r"|\bhow long (will|would|is) (it|this|the rest|the roadmap|my plan)\b[^?.!]*\b(take me|for me)\b"
            # "How long will this take at 5 hours a week?": a pace makes it about the learner's path
            r"|\bhow long (will|would|does|should) (it|this|the rest|the roadmap|my plan) take\b"
            r"(?=[^?.!]*\b\d+(\.\d+)?\s*(hours?|hrs?|h)\s*(a|per|each|every|/)\s*(week|day|wk)\b)"
            r"|\b(am i|i'm) on (track|schedule)\b|\bmy (finish|end) date\b"
            # "How long does the roadmap take?": the publishers' timelines beside the learner's plan
            r"|\bhow long (does|do|will|would|should) (the|this) (whole |entire )?(roadmap|plan|path"
            r"|curriculum|program) take\b",
            _,
        ),
    ),
    (
        Intent.NEXT,
        re.compile(
            r"\bwhat('s| is| comes)? next\b"
            r"|\b(what|which)\b[^?.!]*\b(should|do|can|shall|must|could) i\b[^?.!]*\b(next|now)\b"
            r"|\bnext (topic|step|thing|lesson)s?\b[^?.!]*\b(for me|should i|do i|i should|me)\b"
            r"|\bmy next (topic|step|thing|lesson)s?\b"
            # "What should I learn first?", not "What book should I read first?" (a resource)
            r"|\bwhat (should|do|can|shall) i (learn|study|do|start with|begin with|tackle) first\b"
            r"|\bwhere (should|do|can) i (go|continue|start|begin)\b",
            _,
        ),
    ),
    (
        Intent.PROGRESS,
        re.compile(
            r"\bmy progress\b|\bhow (am i|i'm) doing\b"
            r"|\bwhat (have|did) i (done|do|finish|finished|complete|completed|learn|learned|learnt"
            r"|cover|covered)\b"
            r"|\bhow (far|much) (have i|did i|am i)\b|\bhow many (topics )?(have i|did i)\b",
            _,
        ),
    ),
    (
        Intent.PLAN,
        re.compile(
            r"\bmy (study )?(plan|schedule|timeline|roadmap)\b"
            # ... but "my plan for learning transformers" asks how to learn one topic
            r"(?!\s+(for|to)\s+(learn|study|master|cover|understand|get)\w*\s+"
            r"(?!(the\s+)?(roadmap|everything|it|all|ml|machine learning)\b)\w)"
            r"|\b(make|give|build|show|plan) me (a|my) (study )?(plan|schedule)\b",
            _,
        ),
    ),
]


# A pace the question sets itself: "at 5 hours a week", "if I study 2 hours a day".
ASKED_PACE = re.compile(
    r"\b(?:at|with|on|if i (?:can )?(?:study|do|put in|spend|work|have|give it|manage))\s+"
    r"(?:about\s+|around\s+)?(\d+(?:\.\d+)?)\s*(?:hours?|hrs?|h)\s*(?:a|per|each|every|/)\s*(week|day|wk)\b",
    _,
)
# "how long will it take me to learn PyTorch?" asks about one topic, not the learner's whole path.
ONE_TOPIC = re.compile(
    r"\bto (learn|study|master|cover|understand|get through|finish|complete|do)\s+"
    r"(?!(the\s+)?(whole\s+|entire\s+|rest\s+of\s+the\s+)?(roadmap|plan|path|curriculum|program|"
    r"everything|it|all|this|ml|machine learning)\b)\w",
    _,
)


def asked_pace(question: str) -> float | None:
    """The hours per week a question sets ("at 2 hours a day": 12, six study days as the roadmap
    counts a week), or None."""
    match = ASKED_PACE.search(question.replace("’", "'"))
    if not match:
        return None
    hours = float(match.group(1))
    return hours * 6 if match.group(2).lower() == "day" else hours


def path_intent(question: str) -> Intent | None:
    """What a question asks about the learner's own path, or None for a question about the roadmap."""
    text = " ".join(question.replace("’", "'").split())
    if not text or len(text) > 300 or STATES_FACTS.search(ASKED_PACE.sub(" ", text)):
        return None
    for intent, pattern in PATTERNS:
        if pattern.search(text):
            if intent == Intent.REMAINING and ONE_TOPIC.search(text):
                return None
            return intent
    return None


@dataclass
class Line:
    """One sentence of the answer and what it cites: the record, or a topic file's passage."""

    text: str
    topic: str | None = None  # cites the first passage of this topic (None: the record)
    timeline: Timeline | None = None  # cites the passage holding this timeline row


@dataclass
class PathReply:
    intent: Intent
    lines: list[Line] = field(default_factory=list)


def _week_line(week: Week) -> str:
    items = "; ".join(
        f"{item.title}, {format_hours(item.hours)}"
        + ("" if item.part == "whole" else f" of about {format_hours(item.topic_hours)}")
        for item in week.topics
    )
    return (
        f"Week {week.number} of the plan ({week.start.isoformat()} to {week.end.isoformat()}, "
        f"{format_hours(week.hours)}): {items}."
    )


def compose(
    intent: Intent,
    graph: RoadmapGraph,
    state: LearnerState,
    plan: StudyPlan,
    today: date,
    named: Collection[str] = (),
) -> PathReply:
    """The sentences answering `intent` from the state and the plan, each with what it cites;
    `named`: topics the chat's replies have named already, not named again ("and after that?")."""
    name = state.profile.name
    # the default learner, "me", is the person asking: "Your plan", not "me's plan"
    whose, who = ("Your", "You") if name == "me" else (f"{name}'s", name)
    reply = PathReply(intent)
    add = reply.lines.append
    report = progress_report(graph, state)
    profile = "your profile" if who == "You" else f"{whose} profile"
    pace = (
        ""
        if plan.hours_from != "default"
        else f" No hours per week are set in {profile}, so the plan assumes {plan.hours_per_week:g}."
    )
    if intent == Intent.NEXT and named:  # "and after that?": the plan's next topics besides those
        order = dict.fromkeys(item.id for week in plan.weeks for item in week.topics)
        later = [t for t in order if t not in named][:3]
        if not later:
            add(Line(f"{whose} plan has nothing after those: {plan.summary}"))
        for topic in later:
            node = graph.topics[topic]
            hours = format_hours(node.hours)
            add(Line(f"Then for {name}: {node.title} (about {hours}; {phase_words(node.phase)})."))
        for topic in later:
            add(Line("", topic=topic))
    elif intent == Intent.NEXT:
        upcoming = next_topics(graph, state, limit=3)
        if not upcoming:
            add(Line(f"{who} {'have' if who == 'You' else 'has'} no topic left to study: {report.summary}"))
        for item in upcoming:
            add(Line(f"Next for {name}: {item.title} ({item.reason})."))
        for item in upcoming:
            add(Line("", topic=item.id))
    elif intent in (Intent.REMAINING, Intent.PLAN):
        add(Line(f"{whose} plan: {plan.summary}"))
        if pace:  # its own line: each sentence carries its own citation
            add(Line(pace.strip()))
        if intent == Intent.PLAN:
            for week in plan.weeks[:3]:
                add(Line(_week_line(week)))
        if state.profile.start_date and state.profile.start_date <= today:
            weeks = (today - state.profile.start_date).days // 7
            add(Line(f"{who} started on {state.profile.start_date.isoformat()}, {weeks} weeks ago."))
        for timeline in plan.timelines[:5]:
            add(Line(f"{timeline.label}: {timeline.summary}.", timeline=timeline))
    elif intent in (Intent.THIS_WEEK, Intent.NEXT_WEEK):
        week = plan.weeks[0] if plan.weeks and intent == Intent.THIS_WEEK else None
        if intent == Intent.NEXT_WEEK and len(plan.weeks) > 1:
            week = plan.weeks[1]
        if week is None:
            add(Line(f"{whose} plan has no such week: {plan.summary}"))
        else:
            add(Line(_week_line(week)))
            if pace:
                add(Line(pace.strip()))
            for item in week.topics[:3]:
                add(Line("", topic=item.id))
    elif intent == Intent.PROGRESS:
        add(Line(f"{whose} progress: {report.summary}"))
        learning = [t.title for t in report.topics if t.status == "learning"]
        if learning:
            add(Line(f"In progress: {'; '.join(learning)}."))
        done = sorted(
            (e for e in state.progress.values() if e.status.value == "done" and e.topic_id in graph.topics),
            key=lambda e: e.changed_at,
            reverse=True,
        )
        if done:
            add(Line(f"Done most recently: {'; '.join(graph.title(e.topic_id) for e in done[:5])}."))
        if report.orphans:
            names = "; ".join(o.title or o.topic for o in report.orphans[:5])
            add(Line(f"Kept from topics no longer in the roadmap: {names}."))
    return reply


RECORD_TITLE = "Progress record"


def record_passage(name: str, lines: list[Line]) -> Chunk:
    """The learner's record as a passage: what was computed from their state for this answer."""
    text = "\n".join(line.text for line in lines if line.topic is None and line.timeline is None)
    source = f"learner:{name}"
    return Chunk(source, source, source, f"{RECORD_TITLE}: {name}", "progress and plan", text, 0)


def with_roadmap_problems(
    answered: Iterator[str | Answer], graph: RoadmapGraph | None
) -> Iterator[str | Answer]:
    """A path question the documents answered, as they answered it; declined, with what keeps the
    roadmap from answering it (none of its topics ingested): a developer's client saw only "The
    documents don't cover this", where `/next` says why."""
    held: list[str] = []
    for part in answered:
        if isinstance(part, Answer):
            if part.refused and graph is not None and graph.problems:
                note = f" Your path: {graph.problems[-1]}"
                yield "".join(held) + note  # the held refusal with it, or after what was streamed
                yield replace(part, answer=part.answer + note)
                return
            yield from held
            yield part
            return
        if held or part.startswith(NOT_COVERED):  # a refusal comes as one token: held to the end
            held.append(part)
        else:
            yield part


class LearnerTutor:
    """A Tutor that knows one learner: questions about their own path are answered from their
    state and plan; everything else goes to the Tutor unchanged. Same `stream` and `ask`."""

    def __init__(
        self, tutor: Tutor, learners: Learners, name: str, owner: str = "", *, today: date | None = None
    ):
        self.tutor, self.learners, self.name, self.owner = tutor, learners, name, owner
        self.today = today
        self.store, self.settings = tutor.store, tutor.settings  # what callers read besides stream/ask

    def stream(
        self,
        question: str,
        history: Sequence = (),
        *,
        top_k: int | None = None,
        filters: dict | None = None,
    ) -> Iterator[str | Answer]:
        intent, replies = path_intent(question), []
        if intent is None and history and AFTER_THAT.search(question):
            # "and after that?" following "What should I do next?" (and any more of them): the plan's
            # next topics besides those the replies since have named
            for i in range(len(history) - 1, -1, -1):
                said = str(history[i].get("content", ""))
                if history[i].get("role") == "assistant":
                    replies.append(said)
                elif not AFTER_THAT.search(said):
                    intent = Intent.NEXT if path_intent(said) == Intent.NEXT else None
                    break
        graph = self._graph() if intent is not None else None
        named = [t for reply in replies for t in topics_in(reply, graph)] if graph is not None else []
        # the learner's own documents ingested, none of the roadmap's: "What should I do next?" is
        # theirs to answer (a tutorial's "What Now?"), not a plan of topics the store does not hold
        ingested = graph is not None and set(graph.topics) & set(
            TopicPassages.of(self.tutor.store.keyword_index).by_topic
        )
        if intent is None or not ingested:
            answered = self.tutor.stream(question, history, top_k=top_k, filters=filters)
            yield from answered if intent is None else with_roadmap_problems(answered, graph)
            return
        timer = StageTimer()
        with timer("learner"):
            today = self.today or date.today()
            state = self.learners.state(self.name, self.owner, missing_ok=True)
            plan = study_plan(graph, state, hours_per_week=asked_pace(question), today=today)
            reply = compose(intent, graph, state, plan, today, named)
        with timer("retrieve"):
            passages, draft = self._cite(reply)
        for sentence in draft:
            yield sentence + " "
        with timer("ground"):
            answer = self.tutor.ground_draft(" ".join(draft), passages, question)
        answer.provider = "learner"
        answer.timings_ms = timer.done()
        yield answer

    def _graph(self) -> RoadmapGraph | None:
        """The roadmap to plan from, or None when its folder holds no valid topic: a question about
        one's path is then answered from the documents, as any other (`tutor next` says why)."""
        try:
            return self.learners.graph
        except ConfigError:
            return None

    def _cite(self, reply: PathReply) -> tuple[list[Passage], list[str]]:
        topics = TopicPassages.of(self.tutor.store.keyword_index)
        record = record_passage(self.name, reply.lines)
        passages = [Passage(1, record, record.text)]
        numbers: dict[str, int] = {}
        draft: list[str] = []

        def cited(text: str, n: int) -> str:  # the marker before the full stop: it belongs to this sentence
            return f"{text.rstrip().rstrip('.')} [{n}]."

        for line in reply.lines:
            if line.topic is None and line.timeline is None:
                draft.append(cited(line.text, 1))
                continue
            if line.timeline is not None:
                chunk, text = topics.holding(line.timeline), line.text
            else:
                found = topics.opening(line.topic)
                chunk, text = found if found else (None, "")
            if chunk is None:
                continue  # the topic file is not in the store: say nothing we cannot cite
            if chunk.id not in numbers:
                numbers[chunk.id] = len(passages) + 1
                passages.append(Passage(numbers[chunk.id], chunk, chunk.text))
            draft.append(cited(text, numbers[chunk.id]))
        return passages, draft

    def ask(self, question: str, history: Sequence = (), *, top_k: int | None = None, filters=None) -> Answer:
        result = None
        for event in self.stream(question, history, top_k=top_k, filters=filters):
            result = event
        assert isinstance(result, Answer)
        return result
