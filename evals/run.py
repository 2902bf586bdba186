"""`tutor eval` behind one call: pick the dataset (a shipped suite or a file), prepare its store, ask
or score, summarise per split and check the thresholds. The CLI only draws what this returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals import dataset as ds
from evals.judges import Judge, LLMJudge, OfflineJudge, recorded_judges
from evals.runner import Result, evaluate, load_thresholds, missed_thresholds, score_run, summarize
from evals.suites import SUITES, Suite, SuiteUnavailable
from tutor.config import Settings
from tutor.errors import ConfigError

SPLITS = ("dev", "test")


class EvalProgress:
    """Progress callbacks of an eval run (the CLI draws them as bars); the default draws nothing."""

    def start(self, stage: str, total: int) -> None: ...

    def advance(self, stage: str, amount: int = 1) -> None: ...


@dataclass
class EvalRun:
    """One dataset's outcome: per-question results, a summary per split, the thresholds it missed."""

    name: str
    results: list[Result] = field(default_factory=list)
    summaries: dict[str, dict[str, float]] = field(default_factory=dict)  # split ("all", "dev", "test")
    floors: dict[str, float] = field(default_factory=dict)
    missed: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    skipped: str = ""  # why the run could not happen (documents absent)


def split_of(item: ds.EvalItem) -> str | None:
    return next((tag for tag in item.tags if tag in SPLITS), None)


def select(items: Sequence[ds.EvalItem], split: str) -> list[ds.EvalItem]:
    if split == "all":
        return list(items)
    if split not in SPLITS:
        raise ConfigError(f"Unknown split {split!r}: choose dev, test or all.")
    return [item for item in items if split_of(item) == split]


def summaries_by_split(results: Sequence[Result], items: Sequence[ds.EvalItem], split: str):
    """The summary of every split present (dev, test) and of all the results shown."""
    if split != "all":
        return {split: summarize(results)}
    split_by_id = {item.id: split_of(item) for item in items}
    out = {}
    for name in SPLITS:
        part = [r for r in results if split_by_id.get(r.id) == name]
        if part:
            out[name] = summarize(part)
    out["all"] = summarize(results)
    return out


def make_judge(name: str, settings: Settings, embedder) -> Judge:
    """The support judge: the offline checker, or a provider's LLM at temperature 0."""
    from tutor.llm import get_answerer, resolve_provider

    if resolve_provider(settings, name) == "offline":
        return OfflineJudge(embedder.embed)
    return LLMJudge(get_answerer(settings, embedder, name))


def suite_store_settings(settings: Settings, suite: Suite) -> Settings:
    """A suite's own collection in the data dir, never mixed with the user's documents."""
    return settings.model_copy(update={"collection": f"eval-{suite.name}"})


def prepare_suite(settings: Settings, suite: Suite, progress: EvalProgress):
    """The suite's store, its documents ingested (incrementally: a second run only checks them)."""
    from ingest.pipeline import ingest, inside
    from tutor.embedders import get_embedder
    from tutor.store import Store

    documents = suite.documents(settings)
    store = Store(suite_store_settings(settings, suite), get_embedder(settings))
    report = ingest(documents, store, prune=True, progress=progress)
    if report.failed:
        failed = "; ".join(f"{source}: {reason}" for source, reason in report.failed[:3])
        raise ConfigError(f"The {suite.name} suite's documents did not all ingest: {failed}")
    # The suite's store holds its documents and nothing else: the same corpus ingested from another
    # checkout (another path, so other documents) would be retrieved beside them and move the scores.
    roots = [Path(d).resolve() for d in documents]
    stray = [doc for doc_id, doc in store.documents().items() if not inside(Path(doc_id), roots)]
    if stray:
        store.delete_documents(stray)
        store.rebuild_keyword_index()
    return store


def resolve_dataset(name: str) -> tuple[Suite | None, Path]:
    """A shipped suite by name, or a dataset file (asked against the user's own store)."""
    if name in SUITES:
        return SUITES[name], SUITES[name].dataset
    path = Path(name)
    if not path.is_file():
        known = ", ".join(SUITES)
        raise ConfigError(f"No dataset {name!r}: give a JSONL file or one of the shipped suites ({known}).")
    return None, path


def run_eval(
    settings: Settings,
    dataset: str,
    *,
    split: str = "all",
    provider: str | None = None,
    model: str | None = None,
    judge: str = "offline",
    thresholds: Path = ds.DEFAULT_THRESHOLDS,
    answers: Path | None = None,
    progress: EvalProgress | None = None,
    open_store: Callable[[Settings], Any] | None = None,
) -> EvalRun:
    """Evaluate one dataset (suite name or file). With `answers`, grade those recorded answers instead
    of asking. A suite whose documents are absent comes back with `skipped` set. A dataset file is
    asked against the store that `open_store(settings)` returns (the user's own, by default)."""
    from tutor.chain import Tutor

    progress = progress or EvalProgress()
    suite, path = resolve_dataset(dataset)
    name = suite.name if suite else path.stem
    floors, _ = load_thresholds(thresholds, name if suite else None)
    run = EvalRun(name, floors=floors)
    items = select(ds.load_dataset(path), split)
    if answers is not None:
        from tutor.embedders import get_embedder

        runs = ds.load_run(answers)
        grader = make_judge(judge, settings, get_embedder(settings))
        progress.start("score", len(runs))
        run.results = score_run(runs, grader, items, on_item=lambda _r: progress.advance("score"))
        answerer = "recorded"
    else:
        if suite is not None:
            try:
                store = prepare_suite(settings, suite, progress)
            except SuiteUnavailable as exc:
                run.skipped = str(exc)
                return run
        else:
            store = (open_store or _open_store)(settings)
        tutor = Tutor.from_settings(settings, provider=provider, model=model, store=store)
        grader = make_judge(judge, settings, store.embedder)
        progress.start("ask", len(items))
        run.results = evaluate(tutor, items, grader, on_item=lambda _r: progress.advance("ask"))
        answerer = tutor.answerer.name
    run.summaries = summaries_by_split(run.results, items, split)
    run.missed = [
        f"{name}/{part}: {miss}"
        for part, summary in run.summaries.items()
        for miss in missed_thresholds(summary, floors)
    ]
    run.meta = {
        "dataset": str(path),
        "suite": suite.name if suite else None,
        "split": split,
        "answers": str(answers or ""),
        "provider": answerer,
        "judge": grader.name,
        "thresholds": floors,
        "missed": run.missed,
    }
    return run


def _open_store(settings: Settings):
    from tutor.embedders import get_embedder
    from tutor.store import Store

    return Store(settings, get_embedder(settings))


@dataclass
class Tally:
    """A judge's verdicts against the labels of one group of calibration pairs."""

    pairs: int = 0
    right: int = 0
    unsupported: int = 0  # labelled unsupported
    caught: int = 0  # ... and not judged supported
    said_supported: int = 0  # judged supported
    truly_supported: int = 0  # ... and labelled supported

    def add(self, verdict: bool | None, label: bool) -> None:
        self.pairs += 1
        self.right += (verdict is True) == label
        if not label:
            self.unsupported += 1
            self.caught += verdict is not True
        if verdict is True:
            self.said_supported += 1
            self.truly_supported += label

    @property
    def accuracy(self) -> float | None:
        return self.right / self.pairs if self.pairs else None

    @property
    def unsupported_recall(self) -> float | None:
        return self.caught / self.unsupported if self.unsupported else None

    @property
    def supported_precision(self) -> float | None:
        return self.truly_supported / self.said_supported if self.said_supported else None


@dataclass
class Calibration:
    """Each judge's tallies by split ("all", "dev", "test") and category ("all" and each one), and
    the offline judge against the [calibration] minimums on the gated split."""

    path: Path
    pairs: int
    tallies: dict[str, dict[str, dict[str, Tally]]]  # judge -> split -> category -> tally
    floors: dict[str, float] = field(default_factory=dict)
    gated_split: str = "test"
    missed: list[str] = field(default_factory=list)
    recorded: int = 0  # judges replayed from recorded replies
    replies: Path | None = None

    @property
    def failed(self) -> bool:
        return bool(self.missed)


def calibrate(
    settings: Settings,
    *,
    judge: str | None = None,
    path: Path | None = None,
    thresholds: Path | None = None,
    replies: Path | None = None,
) -> Calibration:
    """Score the offline judge, every LLM judge with a key, `judge`, and the judges whose replies
    were recorded in `replies`, on the labelled pairs; check the offline judge's minimums on the
    test split (on all pairs when the set has none)."""
    from tutor.embedders import get_embedder

    path = path or ds.DEFAULT_CALIBRATION
    _, floors = load_thresholds(thresholds or ds.DEFAULT_THRESHOLDS)
    pairs = ds.load_calibration(path)
    embedder = get_embedder(settings)
    names = ["offline"]
    keyed = (("anthropic", settings.anthropic_api_key), ("openai", settings.openai_api_key))
    names += [name for name, key in keyed if key]
    if judge and judge not in names:
        names.append(judge)
    gated = "test" if any(p.split == "test" for p in pairs) else "all"
    result = Calibration(path, len(pairs), {}, floors, gated, replies=replies)
    verdicts_by_judge: dict[str, list] = {}
    for name in names:
        grader = make_judge(name, settings, embedder)
        verdicts_by_judge[grader.name] = grader.judge([(p.sentence, p.cited) for p in pairs])
    if replies is not None:
        recorded = recorded_judges(ds.load_judge_replies(replies))
        result.recorded = len(recorded)
        for grader in recorded:
            verdicts_by_judge[f"{grader.name} (recorded)"] = grader.judge_ids([p.id for p in pairs])
    for name, verdicts in verdicts_by_judge.items():
        result.tallies[name] = tally(pairs, verdicts)
    result.missed = missed_calibration(result.tallies["offline"].get(gated, {}), floors, gated)
    return result


def tally(pairs, verdicts) -> dict[str, dict[str, Tally]]:
    """split -> category -> Tally; a verdict "missing" (no recorded reply) is left out."""
    by_split: dict[str, dict[str, Tally]] = {}
    for verdict, pair in zip(verdicts, pairs, strict=True):
        if verdict == "missing":
            continue
        for part in {"all", pair.split or "all"}:
            for category in {"all", pair.category or "all"}:
                by_split.setdefault(part, {}).setdefault(category, Tally()).add(verdict, pair.supported)
    return by_split


def missed_calibration(tallies: dict[str, Tally], floors: dict[str, float], split: str) -> list[str]:
    """One line per [calibration] minimum the offline judge misses on `split`."""
    from evals.runner import meets

    overall = tallies.get("all", Tally())
    checks = [
        ("accuracy", overall.accuracy),
        ("unsupported_recall", overall.unsupported_recall),
        ("supported_precision", overall.supported_precision),
    ]
    missed = [
        f"{split}: {name} {value:.3f} < {floors[name]:g}"
        for name, value in checks
        if name in floors and value is not None and not meets(value, floors[name])
    ]
    floor = floors.get("category_accuracy")
    if floor is not None:
        for category, t in sorted(tallies.items()):
            if category != "all" and t.accuracy is not None and not meets(t.accuracy, floor):
                missed.append(f"{split}: {category} accuracy {t.accuracy:.3f} < {floor:g}")
    return missed


FLOORS = tuple(round(0.2 + 0.025 * i, 3) for i in range(13))  # 0.2 … 0.5


@dataclass
class RefusalPoint:
    """For one relevance floor: the share of answerable and of unanswerable questions refused."""

    floor: float
    answerable_refused: dict[str, float]  # suite (and "all") -> share
    unanswerable_refused: dict[str, float]


def refusal_tradeoff(
    settings: Settings, *, split: str = "dev", progress: EvalProgress | None = None
) -> tuple[list[RefusalPoint], dict[str, str]]:
    """How many questions each relevance floor would refuse, per shipped suite: the evidence for
    TUTOR_RELEVANCE_FLOOR. A question naming something no document contains is refused at every
    floor, as the offline answerer refuses it. Returns the points and the suites skipped (with the
    reason)."""
    from tutor.chain import Tutor

    progress = progress or EvalProgress()
    similarities: dict[str, list[tuple[bool, float, bool]]] = {}
    skipped: dict[str, str] = {}
    for suite in SUITES.values():
        try:
            store = prepare_suite(settings, suite, progress)
        except SuiteUnavailable as exc:
            skipped[suite.name] = str(exc)
            continue
        tutor = Tutor.from_settings(settings, provider="offline", store=store)
        items = select(ds.load_dataset(suite.dataset), split)
        progress.start("retrieve", len(items))
        pairs = []
        for item in items:
            history = [t.model_dump() for t in item.history]
            context = tutor.gather(item.question, history)
            unknown = tutor.unknown_names(item.question, history)
            pairs.append((item.answerable, context.best_similarity, bool(unknown)))
            progress.advance("retrieve")
        similarities[suite.name] = pairs
    similarities["all"] = [pair for pairs in similarities.values() for pair in pairs]

    def share(pairs: list[tuple[bool, float, bool]], answerable: bool, floor: float) -> float:
        chosen = [(s, unknown) for a, s, unknown in pairs if a == answerable]
        return sum(s < floor or unknown for s, unknown in chosen) / len(chosen) if chosen else 0.0

    points = [
        RefusalPoint(
            floor,
            {name: share(pairs, True, floor) for name, pairs in similarities.items()},
            {name: share(pairs, False, floor) for name, pairs in similarities.items()},
        )
        for floor in sorted({*FLOORS, settings.relevance_floor})
    ]
    return points, skipped
