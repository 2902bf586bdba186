"""The one interface every answerer implements, and the deterministic follow-up rule."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from tutor.grounding import split_sentences, strip_citations
from tutor.types import NOT_COVERED, Passage

Message = dict[str, str]  # {"role": "user" | "assistant", "content": "..."}
FOLLOW_UP = re.compile(
    r"^\s*(and|but|so|why|how about|what about|then|also|ok|okay)\b|\b(it|that|those|these|this|them|"
    r"they|there|after that|before that|next|instead|same)\b",
    re.IGNORECASE,
)


# A short question that says its own subject, a bare word or name, not "the …" or a pronoun ("What
# does strip remove?", "What is SQL?"): it stands alone, where "What's the price?" leans on the one before
SAYS_ITS_SUBJECT = re.compile(
    r"^\s*(what|how|why|when|where|which|who)\s+(does|do|did|is|are|was|were|can|should|will)\s+"
    r"(?!(the|a|an|my|your|its|their|his|her|our|i|you|we)\b)[A-Za-z_`]",
    re.IGNORECASE,
)

FOLLOWED_BACK = 3  # user turns a chain of follow-ups reaches back at most

# "ok, different question: do I need a GPU?": what follows the marker stands alone.
NEW_TOPIC = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|alright|right|now|so|also)\W+)?(?:(?:a|one)\s+)?"
    r"(?:(?:different|new|another|unrelated|separate|other)\s+(?:question|topic|thing|subject)"
    r"|(?:changing|switching|change|switch)\s+(?:the\s+)?(?:topics?|subject)"
    r"|unrelated|new topic)\b[\s:,.;!-]*",
    re.IGNORECASE,
)
# "no, I meant SQL, not Python": the question before, asked of SQL instead.
CORRECTION = re.compile(
    r"^\W*(?:(?:no|nope|sorry|oops|wait)\W+)?i\s+meant\s+(?P<new>[^,.?!]+?)"
    r"(?:,?\s+not\s+(?P<old>[^,.?!]+?))?\s*[.?!]*\s*$",
    re.IGNORECASE,
)
# "and pandas?", "what about Kaggle?", "what about for images?": the question before, asked of it
# (not "and how long?", which asks something else of the same thing).
ANOTHER_THING = re.compile(
    r"^\W*(?:and|or|what about|how about|same for)\s+(?:(?P<prep>for|in|on|with)\s+)?"
    r"(?!(?:how|what|why|when|where|which|who|is|are|does|do|did|can|could|should|would|will)\b)"
    r"(?P<new>[^?,.!]{1,40}?)\s*\??\s*$",
    re.IGNORECASE,
)


def last_reply(history: Sequence[Message]) -> str:
    """The last assistant message of `history` that says something, or ""."""
    replies = [m["content"] for m in history if m.get("role") == "assistant" and m.get("content", "").strip()]
    return replies[-1] if replies else ""


def asked_of_another(question: str, before: str) -> str | None:
    """`before` asked of the other thing `question` names, when it corrects it ("no, I meant SQL,
    not Python") or only names another thing ("and pandas?" after "How long does SQL take?",
    "what about for images?" after "… for tabular data?"); None when it does neither, or when
    `before` names no thing to swap (then the follow-up is joined to it as usual). The thing
    swapped is the one the correction names, else the last name of `before` ("Kaggle", not "GPU",
    in "How many free GPU hours a week does Kaggle give?")."""
    from tutor.store import names_in

    if corrected := CORRECTION.match(question):
        new, old = corrected.group("new").strip(), (corrected.group("old") or "").strip()
    elif (other := ANOTHER_THING.match(question)) and not FOLLOW_UP.search(other.group("new")):
        new, old = other.group("new").strip(), ""  # "and pandas?", not "and after that?"
        if prep := other.group("prep"):  # "for images" takes the place of "for tabular data"
            found = re.search(rf"\b{prep}\s+[^?,.!]+", before, re.IGNORECASE)
            return before[: found.start()] + f"{prep} {new}" + before[found.end() :] if found else None
    else:
        return None
    # the thing asked about comes last, mostly; else one named by its kind ("the pass statement"),
    # whole when the follow-up names its kind too ("what about the sep argument?")
    named = names_in(before)
    if not old and not named and (kind := KIND_NAMED.search(before)):
        thing = new.removeprefix("the ")
        if KIND_NAMED.search(f"the {thing}"):  # its kind said again: "the sep argument"
            return before[: kind.start()] + f"the {thing}" + before[kind.end() :]
        return before[: kind.start(1)] + thing + before[kind.end(1) :]
    if not old and not named and (last := LAST_THING.search(before)):
        # "and lists?" after "Can I change an item of a tuple?": the thing the question ends on
        thing = re.sub(r"^(?:an?|the)\s+", "", new, flags=re.IGNORECASE)
        return before[: last.start(1)] + thing + before[last.end(1) :]
    old = old or next(reversed(named), "")
    found = re.search(rf"(?<!\w){re.escape(old)}(?!\w)", before, re.IGNORECASE) if old else None
    if found is None:
        return f"{before} {new}" if corrected else None
    return before[: found.start()] + new + before[found.end() :]


# A question ending on the thing it asks about, named in lower case: "… an item of a tuple?"
LAST_THING = re.compile(r"\b(?:an?|the|of|about)\s+([a-z][\w-]*)\s*[?.!]*\s*$")
# "the pass statement", "the `zip` function", "the --verbose option": a thing named in lower case by
# the kind of thing it is
KIND_NAMED = re.compile(
    r"\bthe\s+`?([\w.-]+?)`?\s+(?:statement|operator|function|method|keyword|command|option|parameter|"
    r"argument|module|class|attribute|flag|setting)s?\b",
    re.IGNORECASE,
)


def standalone(question: str, history: Sequence[Message]) -> str | None:
    """A follow-up rewritten as a question of its own, when it says it is a new question ("ok,
    different question: do I need a GPU?") or asks the one before of another thing ("and pandas?",
    "no, I meant SQL, not Python"); None for any other follow-up."""
    previous = user_questions(history)
    return rewritten(question, condensed_last(previous)) if previous else None


def rewritten(question: str, before: str) -> str | None:
    """`question` as a question of its own (see `standalone`), `before` being the one it follows."""
    if (switched := NEW_TOPIC.match(question)) and (rest := question[switched.end() :].strip()):
        return rest  # said to be a new question: it leans on nothing
    return asked_of_another(question, before)


def user_questions(history: Sequence[Message]) -> list[str]:
    return [m["content"] for m in history if m.get("role") == "user" and m.get("content", "").strip()]


def condensed_last(previous: list[str]) -> str:
    """The last of the learner's questions, itself condensed with those before it."""
    earlier = [{"role": "user", "content": q} for q in previous[-FOLLOWED_BACK:-1]]
    return rule_based_condense(previous[-1], earlier)


def rule_based_condense(question: str, history: Sequence[Message], *, reply: bool = True) -> str:
    """Offline condensation: a short or referring follow-up is joined to the last user question,
    itself condensed first, so that a chain keeps its subject ("What IEEE standard is Wi-Fi 5?",
    "What year did it come out?", "And how fast is it?")."""
    previous = user_questions(history)
    if not previous:
        return question
    before = condensed_last(previous)  # once: the rewrite and the join both start from it
    if whole := rewritten(question, before):
        return whole
    if not FOLLOW_UP.search(question) and (len(question.split()) > 6 or SAYS_ITS_SUBJECT.match(question)):
        return question  # neither "and Colab?" nor "How long does it take?": it stands alone
    # "that stage" may be what the last reply named: its first sentence comes along
    last = last_reply(history)
    answered = last and not last.startswith(NOT_COVERED)
    named = split_sentences(strip_citations(last))[:1] if reply and answered else []
    return " ".join([before, *named, question])


class Answerer:
    """Answers a question from numbered passages. Subclasses implement `stream` and say how they are
    built from the settings (`from_settings`); tutor.llm registers them by `name`."""

    name = "base"
    key_env_var: str | None = None  # the API key it needs, if any
    key_setting: str | None = None  # the Settings field holding that key
    chosen_by_auto = False  # TUTOR_PROVIDER=auto picks it when its key is configured
    # A model that reads the passages says itself that they never name what was asked; for one
    # that only picks sentences (offline), tutor declines such a question before answering.
    reads_passages = True

    @classmethod
    def from_settings(cls, settings, *, embedder, model: str | None = None) -> Answerer:
        raise NotImplementedError

    @classmethod
    def offered(cls, settings) -> bool:
        """Whether the configuration has what it needs (a key, a server), so API clients may pick it."""
        return True

    def stream(self, question: str, passages: Sequence[Passage], history: Sequence[Message]) -> Iterator[str]:
        """Yield the answer's text as it is produced, with [n] citations to `passages`."""
        raise NotImplementedError

    def condense(self, question: str, history: Sequence[Message]) -> str:
        """Turn a follow-up into a standalone query for retrieval."""
        return rule_based_condense(question, history)

    def with_options(self, *, max_tokens: int | None = None, temperature: float | None = None) -> Answerer:
        """This answerer with one request's sampling options (the OpenAI-compatible route passes a
        client's `max_tokens` and `temperature`). An answerer without a model to sample from
        ignores them."""
        return self
