"""`tutor ask` and `tutor chat`: answers with citations, streamed as they are written."""

from __future__ import annotations

import json
from textwrap import shorten
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from tutor.cli.common import AsJson, DataDir, Model, Provider, TopK, build_tutor, err, load_settings, out
from tutor.cli.learner import AskLearner, with_learner
from tutor.errors import TutorError
from tutor.text import blank

if TYPE_CHECKING:
    from tutor.types import Answer


def print_sources(answer: Answer) -> None:
    """The numbered sources under an answer; two passages of one section show their opening words."""
    if not answer.citations:
        return
    out.print("\n[bold]Sources[/]")
    named = [
        (f"{c.title} › {c.section}" if c.section else c.title, c.url or c.source) for c in answer.citations
    ]
    for c, (heading, where) in zip(answer.citations, named, strict=True):
        page = f", page {c.page}" if c.page else ""
        opening = (
            f": “{escape(' '.join(c.snippet.split())[:60])}…”" if named.count((heading, where)) > 1 else ""
        )
        out.print(
            f"  \\[{c.n}] {escape(heading)} — [cyan]{escape(where)}[/]{page}{opening}",
            highlight=False,
            markup=True,
        )


def rendered(text: str):
    """Markdown for the terminal, its code blocks without the margin Rich gives them, so code copied
    from the screen keeps its indentation (a line wider than the screen still folds: piped, the
    answer is written as it is)."""
    from rich.markdown import CodeBlock, Markdown
    from rich.syntax import Syntax

    class WrittenCode(CodeBlock):
        def __rich_console__(self, console, options):
            yield Syntax(str(self.text).rstrip(), self.lexer_name, theme=self.theme, word_wrap=True)

    markdown = Markdown(text)
    markdown.elements = {**markdown.elements, "fence": WrittenCode, "code_block": WrittenCode}
    return markdown


def print_answer_stream(tutor, question: str, history, top_k: int | None):
    """Render the answer as Markdown while it streams, then the sources it cites. Piped or
    redirected, the answer is written as it is, Markdown source, so its code can be copied."""
    from rich.live import Live

    from tutor.types import Answer

    answer = None
    if out.is_terminal:
        buffer = ""
        with Live(rendered(""), console=out, refresh_per_second=12, vertical_overflow="visible") as live:
            for event in tutor.stream(question, history, top_k=top_k):
                if isinstance(event, Answer):
                    answer = event
                    live.update(rendered(answer.answer))
                else:
                    buffer += event
                    live.update(rendered(buffer))
    else:
        for event in tutor.stream(question, history, top_k=top_k):
            answer = event if isinstance(event, Answer) else answer
    assert answer is not None
    if not out.is_terminal:
        out.file.write(answer.answer + "\n")  # the answer as checked, not the tokens before it
        out.file.flush()
    print_sources(answer)
    unmatched = [s for s in answer.grounding.sentences if not s.supported]
    if unmatched:
        err.print(
            "[yellow]note:[/] not matched to its cited sources, check against the Sources:"
            if len(unmatched) == 1
            else f"[yellow]note:[/] {len(unmatched)} sentences not matched to their cited sources, "
            "check them against the Sources:",
            highlight=False,
        )
        for check in unmatched:
            said = shorten(check.text, 90, placeholder=" …")
            err.print(f"  “{escape(said)}” [dim]({escape(check.reason)})[/]", highlight=False)
    return answer


def too_long(question: str, limit: int) -> None:
    """A question over the HTTP API's limit is refused here too (a 120 KB one took a minute)."""
    if len(question) > limit:
        raise TutorError(
            f"The question is {len(question):,} characters; the limit is {limit:,} "
            "(TUTOR_MAX_MESSAGE_CHARS). Ask about one thing at a time."
        )


def ask(
    question: Annotated[str, typer.Argument(help="Your question about the ingested documents.")],
    provider: Provider = None,
    model: Model = None,
    top_k: TopK = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
    learner: AskLearner = None,
) -> None:
    """Answer a question from the roadmap documents, citing every claim."""
    if blank(question):
        raise TutorError('The question is empty: ask something, e.g. tutor ask "How long does it take?"')
    too_long(question, load_settings(data_dir).max_message_chars)
    tutor = with_learner(build_tutor(data_dir, provider, model), learner)
    if as_json:
        out.print_json(json.dumps(tutor.ask(question, top_k=top_k).to_dict()))
        return
    print_answer_stream(tutor, question, [], top_k)


def chat(
    provider: Provider = None,
    model: Model = None,
    top_k: TopK = None,
    data_dir: DataDir = None,
    learner: AskLearner = None,
) -> None:
    """An interactive session with history. Commands: /sources, /clear, /quit."""
    tutor = with_learner(build_tutor(data_dir, provider, model), learner)
    history: list[dict[str, str]] = []
    last = None
    documents = len(tutor.store.documents())  # the shipped roadmap, or what the learner ingested
    about = f"{documents} document{'s' * (documents != 1)} (`tutor sources` lists them)"
    out.print(f"[bold]tutor chat[/] — ask about the {about}. /sources, /clear, /quit (or Ctrl-D).")
    while True:
        try:
            line = out.input("[bold green]you>[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            out.print()
            return
        if not line:
            continue
        if line in ("/quit", "/exit", "/q"):
            return
        if line == "/clear":
            history, last = [], None
            out.print("[dim]History cleared.[/]")
            continue
        if line == "/sources":
            if last is None or not last.contexts:
                out.print("[dim]No sources yet.[/]")
            for p in last.contexts if last else []:
                out.print(f"  [{p.n}] {p.chunk.heading} — [cyan]{p.chunk.source}[/]", highlight=False)
            continue
        if line.startswith("/"):
            shown = escape(line.split()[0][:40])
            out.print(f"[dim]Unknown command {shown}. Commands: /sources, /clear, /quit[/]", highlight=False)
            continue
        try:
            too_long(line, tutor.settings.max_message_chars)
            last = print_answer_stream(tutor, line, history, top_k)
        except KeyboardInterrupt:
            out.print("[dim](answer interrupted)[/]")
            continue
        except TutorError as exc:  # a provider hiccup should not end the session
            err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
            continue
        history += [{"role": "user", "content": line}, {"role": "assistant", "content": last.answer}]
