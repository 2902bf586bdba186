"""Eval inputs, read from JSONL and validated line by line: a bad line is named, never skipped.

- dataset: questions with answer keys (`evals/datasets/roadmap.jsonl`)
- run file: answers produced elsewhere, to score without calling anything (`--answers`)
- calibration set: labelled (sentence, passages, supported?) pairs for judging the judges
  (`evals/datasets/judge.jsonl`; the 76 pairs written alongside the first judge stay in
  `calibration.jsonl`, dev material only)
- judge replies: verdicts an LLM judge gave on calibration pairs, recorded to be scored again
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tutor.errors import ConfigError
from tutor.grounding import citations_in

DATASETS = Path(__file__).resolve().parent / "datasets"
DEFAULT_DATASET = DATASETS / "roadmap.jsonl"
DEFAULT_CALIBRATION = DATASETS / "judge.jsonl"
FIRST_CALIBRATION = DATASETS / "calibration.jsonl"  # written alongside the first judge: dev only
DEFAULT_THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class EvalItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    answer_keys: list[str] = []
    answerable: bool = True
    expected_sources: list[str] = []
    history: list[Turn] = []
    tags: list[str] = []

    @field_validator("question")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is blank")
        return value


class RunContext(BaseModel):
    model_config = ConfigDict(extra="ignore")

    n: int
    text: str
    source: str = ""
    title: str = ""
    section: str = ""


class RunItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    question: str = ""
    answer: str
    contexts: list[RunContext] = []
    refused: bool | None = None  # when absent, decided from the answer text


class CalibrationPair(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    sentence: str = Field(min_length=1)
    passages: list[str] = Field(min_length=1)
    supported: bool
    category: str = ""  # what the pair tests: paraphrase, number_changed, ...
    corpus: str = ""
    split: Literal["dev", "test"] | None = None

    @property
    def cited(self) -> list[str]:
        """The passages the sentence cites, as an answer's grounding check reads it ("… [2]." is
        judged against the second passage alone); every passage when it cites none."""
        numbers = citations_in(self.sentence)
        if not numbers:
            return list(self.passages)
        return [self.passages[n - 1] for n in dict.fromkeys(numbers) if 1 <= n <= len(self.passages)]


class JudgeReply(BaseModel):
    """One recorded verdict of a judge on one calibration pair (by the pair's id)."""

    model_config = ConfigDict(extra="ignore")

    judge: str = Field(min_length=1)  # "llm:anthropic/claude-..."
    id: str = Field(min_length=1)
    verdict: Literal["supported", "unsupported", "cant_tell"]


Model = TypeVar("Model", bound=BaseModel)


def read_jsonl(path: Path, model: type[Model]) -> list[Model]:
    """Every non-blank line of `path` as `model`; ConfigError naming file and line on the first bad one."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from None
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(model.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{number}: not valid JSON ({exc.msg}).") from None
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(f"{path}:{number}: {problems}.") from None
    if not items:
        raise ConfigError(f"{path} holds no items.")
    ids = [getattr(item, "id", None) for item in items if not isinstance(item, JudgeReply)]
    duplicates = sorted({i for i in ids if i is not None and ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"{path}: duplicate ids {', '.join(duplicates[:5])}.")
    return items


def load_dataset(path: Path = DEFAULT_DATASET) -> list[EvalItem]:
    return read_jsonl(path, EvalItem)


def load_run(path: Path) -> list[RunItem]:
    return read_jsonl(path, RunItem)


def load_calibration(path: Path = DEFAULT_CALIBRATION) -> list[CalibrationPair]:
    return read_jsonl(path, CalibrationPair)


def load_judge_replies(path: Path) -> list[JudgeReply]:
    replies = read_jsonl(path, JudgeReply)
    seen: set[tuple[str, str]] = set()
    for reply in replies:
        if (reply.judge, reply.id) in seen:
            raise ConfigError(f"{path}: two replies of {reply.judge} for {reply.id}.")
        seen.add((reply.judge, reply.id))
    return replies
