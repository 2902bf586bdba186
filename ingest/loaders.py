"""Loaders: turn the bytes of a file or a URL into a Document, or fail with one clear reason.

Markdown keeps its headings and front matter; HTML is reduced to its main content as Markdown
(trafilatura), so the chunker sees the same structure; PDF keeps one text per page. URLs are
fetched by ingest/fetch.py.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import threading
import zlib
from pathlib import Path
from typing import Any

from tutor.errors import IngestError, NothingToIndex
from tutor.frontmatter import FrontMatterError, split_front_matter
from tutor.text import LIST_ITEM
from tutor.types import Document

KINDS = {
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".rst": "rst",
    ".rest": "rst",
}
CONTENT_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "text/markdown": "md",
    "text/x-markdown": "md",
    "text/x-rst": "rst",
    "text/prs.fallenstein.rst": "rst",
    "text/plain": "txt",
}
FIRST_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def compressed(path: Path) -> bool:
    """A gzip-compressed file of a type a loader reads ("caching.md.gz", as Debian ships docs)."""
    return path.suffix.lower() == ".gz" and Path(path.stem).suffix.lower() in KINDS


def readable_suffix(path: Path) -> str | None:
    """The suffix that picks `path`'s loader (".md" for "caching.md.gz"), None when none reads it."""
    suffix = Path(path.stem).suffix.lower() if compressed(path) else path.suffix.lower()
    if path.name.lower().endswith(".rst.txt"):
        return ".rst"  # the copies of its sources a Sphinx site publishes (_sources/svm.rst.txt)
    return suffix if suffix in KINDS else None


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """`data` decompressed, never past `max_bytes` (a small file can inflate to gigabytes)."""
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        out = inflate.decompress(data, max_bytes + 1)
    except zlib.error:
        raise IngestError("not a valid gzip file") from None
    if len(out) > max_bytes:
        raise IngestError(f"larger than {max_bytes:,} bytes when decompressed")
    if not inflate.eof:
        raise IngestError("a truncated gzip file (it ends before its compressed data does)")
    return out


def kind_for_path(path: Path) -> str:
    kind = KINDS.get(readable_suffix(path) or "")
    if kind is None:
        supported = ", ".join(sorted(KINDS))
        raise IngestError(f"unsupported file type {path.suffix or '(none)'!r} (supported: {supported})")
    return kind


def kind_for_content_type(content_type: str, url: str) -> str:
    mime = content_type.split(";")[0].strip().lower()
    if (
        mime in ("text/plain", "application/octet-stream", "")
        and Path(url.split("?")[0]).suffix.lower() in KINDS
    ):
        return KINDS[Path(url.split("?")[0]).suffix.lower()]  # servers often label .md, .rst as text/plain
    kind = CONTENT_TYPES.get(mime)
    if kind is None:
        raise IngestError(f"unsupported content type {mime or '(none)'!r}")
    return kind


def decode_text(data: bytes) -> str:
    """Strict UTF-8 (a BOM is allowed), or UTF-16 with its byte-order mark; binary and undecodable
    files are refused, not guessed."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise IngestError(f"not valid UTF-16 text (bad bytes at offset {exc.start})") from None
    if b"\x00" in data[:8192]:
        raise IngestError("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"not valid UTF-8 text (bad byte at offset {exc.start})") from None


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    try:
        meta, body = split_front_matter(text)
    except FrontMatterError as exc:
        raise IngestError(str(exc)) from None
    return meta or {}, body


# MyST, the Markdown of Sphinx sites (pip's and many projects' docs): roles, directive fences and
# reference targets. Read as plain Markdown they leak into answers ("Many projects use
# {file}`requirements.txt`", a toctree's page list quoted as a sentence).
MYST_ROLE = re.compile(r"\{([a-z][\w:-]*)\}`([^`\n]+)`")
MYST_TARGET = re.compile(r"^\([\w.:-]+\)=[ \t]*$")
MYST_FENCE = re.compile(r"^[ \t]*(`{3,}|:{3,})\{([\w:-]+)\}[ \t]*(.*)$")
PLAIN_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
MYST_OPTION = re.compile(r"^[ \t]*:[\w-]+:(\s.*)?$")
MYST_DROPPED = frozenset({"toctree", "contents", "include", "literalinclude", "raw", "only", "eval-rst"})
MYST_LABELLED = frozenset({"tab", "tab-item", "dropdown", "admonition", "card"})  # the argument is a title
CROSS_REFERENCE = frozenset({"ref", "doc", "any", "term", "numref", "std:ref"})


TARGET = re.compile(r"\s*<[^>]*>\s*$")  # a Sphinx role's "its title <target>"


def without_target(text: str) -> str:
    """A role's text without its "<target>": the title it shows."""
    return TARGET.sub("", text).strip()


def label_words(label: str) -> str:
    """A reference label as words: "svm_kernels" as "svm kernels"."""
    return re.sub(r"[_-]+", " ", label)


def _myst_role(match: re.Match) -> str:
    role, text = match.group(1), match.group(2)
    if role in CROSS_REFERENCE:
        return without_target(text) or text
    return f"`{text}`"


def myst_to_markdown(body: str) -> str:
    """`body` with MyST's syntax read as what it shows: a role as its text (a cross-reference as
    its title, anything else as code), a directive fence as its content (a tab's or dropdown's
    title as a bold line; navigation such as a toctree left out), reference targets dropped.
    Markdown without MyST comes back unchanged."""
    if "{" not in body and ")=" not in body:
        return body
    out: list[str] = []
    fences: list[tuple[str, bool | None]] = []  # (fence, shown? None: a code block) open around a line
    options = False
    for line in body.split("\n"):
        stripped = line.strip()
        if fences and stripped == fences[-1][0]:  # the innermost block closes
            fence, shown = fences.pop()
            if shown is None:
                out.append(line)  # a code block's own fence
            continue
        hidden = any(shown is False for _, shown in fences)
        in_code = any(shown is None for _, shown in fences)
        directive = None if in_code else MYST_FENCE.match(line)
        if directive:
            fence, name, argument = directive.groups()
            fences.append((fence, name not in MYST_DROPPED))
            if name in MYST_LABELLED and argument.strip() and not hidden:
                out.append(f"**{argument.strip()}**\n")
            options = True
            continue
        if options and MYST_OPTION.match(line):
            continue  # ":maxdepth: 1" under a directive's opening
        options = False
        plain = PLAIN_FENCE.match(line)
        if plain and not in_code:
            fences.append((plain.group(1), None))
        if hidden:
            continue
        if not in_code and not plain:
            if MYST_TARGET.match(line):
                continue
            line = MYST_ROLE.sub(_myst_role, line)
        out.append(line)
    return "\n".join(out)


def fence_indented_code(body: str) -> str:
    """`body` with its indented code blocks (four spaces after a blank line, as CommonMark reads
    them) written as fenced ones: chunking, the answerers and the page know code by its fence."""
    if not re.search(r"^(?: {4}|\t)", body, re.M):
        return body
    from markdown_it import MarkdownIt

    lines = body.split("\n")
    found = [t for t in MarkdownIt("commonmark").parse(body) if t.type == "code_block" and t.map]
    for token in reversed(found):
        code = token.content.rstrip("\n")
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`{3,}", code)), default=0))
        start, end = token.map
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1  # the blank lines after it stay prose's
        lines[start:end] = [fence, *code.split("\n"), fence]
    return "\n".join(lines)


def load_markdown(text: str, fallback_title: str) -> tuple[str, str, dict[str, Any]]:
    meta, body = _split_front_matter(text)
    body = fence_indented_code(myst_to_markdown(body))
    heading = FIRST_HEADING.search(body)
    title = str(meta.get("title") or (heading.group(1) if heading else fallback_title))
    return title, body, meta


# reStructuredText, read with docutils. Sphinx adds roles (:class:`~sklearn.svm.SVC`) and directives
# (.. autosummary::) that docutils does not know: a role is read as its text (code, or a cross
# reference's title), a directive as its content, navigation and generated pages left out.
RST_ROLE = re.compile(r":((?:[a-z]+:)?[a-z][\w-]*):`")
RST_DIRECTIVE = re.compile(r"^[ \t]*\.\.[ \t]+([a-z][\w:-]*)::", re.MULTILINE)
# fmt: off
RST_DROPPED = frozenset({  # navigation, generated pages, what a build reads from elsewhere
    "toctree", "autosummary", "automodule", "autoclass", "autofunction", "currentmodule", "module",
    "literalinclude", "include", "raw", "only", "plot", "sectionauthor", "moduleauthor", "index",
    "rst-class", "highlight", "tabularcolumns", "meta", "default-role", "role", "ifconfig",
})
# fmt: on
RST_CODE = frozenset({"code-block", "sourcecode", "doctest", "testcode", "testoutput", "prompt"})
RST_LOCK = threading.Lock()
RST_REF = "tutor-ref"  # a :ref: to resolve to its section's title
RST_VERSION = {
    "versionadded": "Added in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
    "versionremoved": "Removed in version",
}


def _rst_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    from docutils import nodes

    role = name.rsplit(":", 1)[-1]
    if role in CROSS_REFERENCE:  # "its title <target>": the title; a bare label as words, or as
        titled = without_target(text)  # the title of its section, when here
        if titled != text.strip() or role != "ref":
            return [nodes.Text(titled if titled != text.strip() else label_words(text))], []
        label = nodes.fully_normalize_name(text)
        link = nodes.reference(rawtext, label_words(text), refname=label, classes=[RST_REF])
        inliner.document.note_refname(link)
        return [link], []
    shown = text.strip()
    if shown.startswith("~"):  # ~sklearn.svm.SVC shows as SVC
        shown = shown[1:].rsplit(".", 1)[-1]
    shown = without_target(shown) or shown
    return [nodes.literal(rawtext, shown)], []


def _rst_directive(name: str):
    from docutils import nodes
    from docutils.parsers.rst import Directive, directives

    class AnyOption(dict):
        def __missing__(self, key):
            return directives.unchanged

    class Read(Directive):
        """A directive docutils lacks, read as what it shows."""

        optional_arguments = 1
        final_argument_whitespace = True
        option_spec = AnyOption()
        has_content = True

        def run(self):
            if name in RST_DROPPED:
                return []
            if name in RST_CODE:
                return [nodes.literal_block("\n".join(self.content), "\n".join(self.content))]
            box = nodes.container()
            if name in RST_VERSION and self.arguments:  # "Added in version 1.2: what changed"
                version, *said = " ".join(self.arguments).split()
                said_nodes, _ = self.state.inline_text(" ".join(said), self.lineno)  # ``code`` too
                box += nodes.paragraph("", "", nodes.Text(f"{RST_VERSION[name]} {version}: "), *said_nodes)
            elif self.arguments:  # a title: ".. dropdown:: Mathematical details"
                box += nodes.paragraph("", "", nodes.strong(text=self.arguments[0]))
            self.state.nested_parse(self.content, self.content_offset, box)
            return [box]

    return Read


def rst_to_html(text: str) -> str:
    """`text`, reStructuredText, as an HTML page: no file or raw HTML it names is read or passed on,
    and markup errors are read as plain text, not reported."""
    from docutils import nodes
    from docutils.core import publish_doctree, publish_from_doctree
    from docutils.parsers.rst import directives, roles
    from docutils.writers.html5_polyglot import Writer

    settings = {
        "file_insertion_enabled": False,  # ".. include:: /etc/passwd" reads nothing
        "raw_enabled": False,
        "report_level": 5,
        "halt_level": 5,
        "warning_stream": False,
        "input_encoding": "unicode",
        "output_encoding": "unicode",
        "embed_stylesheet": False,
        "stylesheet_path": "",
        "syntax_highlight": "none",
        "math_output": "latex",
    }
    # docutils keeps roles and directives in module-wide tables: a document's own are registered
    # for its parse only (one parse at a time), so no document leaves names behind for the next
    with RST_LOCK:
        added_roles = [
            n for n in set(RST_ROLE.findall(text)) if n not in roles._roles and n not in roles._role_registry
        ]
        added_directives = [
            n
            for n in set(RST_DIRECTIVE.findall(text))
            if n in RST_DROPPED or n in RST_CODE or n not in directives._directive_registry
        ]
        saved = {n: directives._directives.get(n) for n in added_directives}
        for name in added_roles:
            roles.register_local_role(name, _rst_role)
        for name in added_directives:
            directives.register_directive(name, _rst_directive(name))
        try:
            tree = publish_doctree(text, settings_overrides=settings)
        finally:
            for name in added_roles:
                roles._roles.pop(name, None)
            for name, before in saved.items():
                if before is None:
                    directives._directives.pop(name, None)
                else:
                    directives._directives[name] = before
    for literal in tree.findall(nodes.literal):
        literal["classes"].append("code")  # written as <code>, read as `code`, like HTML pages' inline code
    for link in tree.findall(nodes.reference):  # :ref:`label` to a section of this document: its title
        section = tree.ids.get(link.get("refid", "")) if RST_REF in link["classes"] else None
        if isinstance(section, nodes.section) and section.children:
            link.children = [nodes.Text(section[0].astext())]
    for bad in list(tree.findall(nodes.problematic)):  # a label of another document: its words
        role = re.fullmatch(r":[\w:-]+:`([^`<]*)`", bad.astext())
        if role:  # its ids tie it to a system message: its text changes, not the node
            bad.children = [nodes.Text(label_words(role.group(1)).strip())]
    for box in list(tree.findall(lambda n: isinstance(n, (nodes.Admonition, nodes.topic, nodes.sidebar)))):
        box.replace_self(_unboxed(box))
    return publish_from_doctree(tree, writer=Writer(), settings_overrides=settings)


def _unboxed(box):
    """A note, warning or topic as plain paragraphs opening with its label ("Note: never add meat"):
    docutils writes them as <aside>, which a page's reader leaves out as chrome."""
    from docutils import nodes

    title = next((c for c in box.children if isinstance(c, nodes.title)), None)
    label = (title.astext() if title is not None else box.tagname.capitalize()).rstrip(": ")
    body = [c for c in box.children if c is not title]
    out = nodes.container()
    if body and isinstance(body[0], nodes.paragraph):
        body[0].insert(0, nodes.Text(f"{label}: "))
    else:
        out += nodes.paragraph(text=f"{label}:")
    out.extend(body)
    return out


def load_rst(text: str, fallback_title: str) -> tuple[str, str]:
    """Title and Markdown of a reStructuredText document (Sphinx's too)."""
    from lxml import html as lxml_html

    try:
        page = rst_to_html(text)
    except Exception as exc:  # docutils raises its own errors on markup it cannot recover from
        raise IngestError(f"malformed reStructuredText: {exc}") from None
    root = lxml_html.document_fromstring(page)
    main = main_content(root)
    heading = (main if main is not None else root).find(".//h1")
    body = html_to_markdown(main if main is not None else root)
    if not body.strip():
        raise NothingToIndex("no readable text found in the reStructuredText")
    title = " ".join(heading.text_content().split()) if heading is not None else ""
    return title or fallback_title, body


def load_plain_text(text: str, fallback_title: str) -> tuple[str, str]:
    """The title: a heading on the first line, set apart by a blank line ("HARVESTING HONEY"); else
    the first line (or first sentence) that reads like a title (saved web pages start with "Skip to
    content" etc.)."""
    from ingest.chunking import is_heading_line

    lines = [line.strip() for line in text.strip().splitlines()]
    if lines and is_heading_line(lines[0]) and (len(lines) == 1 or not lines[1]):
        return lines[0], text
    title = next(filter(None, map(_title_like, lines)), fallback_title)
    return title, text


def _title_like(line: str) -> str | None:
    """A line, or its first sentence when the line is a paragraph, that can serve as a title: four
    words or more, 120 characters at most; never a list item ("- Python programming proficiency")."""
    if LIST_ITEM.match(line):
        return None
    first = re.split(r"(?<=[.!?])\s+", line, maxsplit=1)[0]
    return first if len(first.split()) >= 4 and len(first) <= 120 else None


# Inside the main content, these are navigation, asides and chrome, not the page's text. Sphinx
# and docutils write a topic or sidebar ("Unlabeled entries in y") as an <aside>: that is text.
NOT_CONTENT = (
    "script|style|noscript|template|svg|iframe|nav|footer|form|button|select|textarea",
    "aside[not(contains(concat(' ', normalize-space(@class), ' '), ' topic ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' sidebar '))]",
    "[@role='navigation' or @role='search' or @role='complementary' or @hidden or @aria-hidden='true'"
    # text a reader never sees (an injection's hiding place): style="display: none", "visibility:hidden"
    " or contains(translate(@style, 'DISPLAYNOEVISBTH ', 'displaynoevisbth'), 'display:none')"
    " or contains(translate(@style, 'DISPLAYNOEVISBTH ', 'displaynoevisbth'), 'visibility:hidden')]",
    "[contains(concat(' ', normalize-space(@class), ' '), ' headerlink ')]",  # Sphinx's ¶ anchors
)


# The title of a note, warning or topic box ("Note", "Unlabeled entries in y").
BOX_TITLE = (
    "[contains(concat(' ', normalize-space(@class), ' '), ' admonition-title ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' topic-title ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' sidebar-title ')]"
)


def _lead_in(title) -> None:
    """A box's title as the lead-in of its first paragraph ("Note: never add meat"), as the reST
    reader writes it, instead of a line of its own that reads as a fragment."""
    label = " ".join(title.text_content().split()).rstrip(": ")
    following = title.getnext()
    if not label or following is None or following.tag != "p":
        return
    following.text = f"{label}: {following.text or ''}"
    title.drop_tree()


# DocBook's divisions (Valgrind's, PostgreSQL's, GNU manuals): the page's own text, without the
# navigation tables around it; a page without `<main>` went to trafilatura, which lost its headings
DOCBOOK_DIVISIONS = "book part chapter appendix preface article reference refentry sect1 section glossary"
DOCBOOK_DIVISION = " or ".join(
    f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')" for name in DOCBOOK_DIVISIONS.split()
)
# ... and its lists of contents, which repeat the headings that follow
DOCBOOK_CONTENTS = (
    "[contains(concat(' ', normalize-space(@class), ' '), ' toc ') or starts-with(@class, 'list-of-')]"
)
LISTS_ONLY = 200  # characters: a DocBook division with less text than this besides its lists of contents


def generator(root) -> str:
    return " ".join(root.xpath("//meta[@name='generator']/@content")).lower()


def asciidoc(root, made_by: str | None = None) -> bool:
    """An AsciiDoc or Asciidoctor page (git's manual pages); `made_by`: its generator, if read."""
    return "asciidoc" in (generator(root) if made_by is None else made_by)


def main_content(root, made_by: str | None = None):
    """The element holding the page's own text (`<main>`, `role="main"`, `<article>`, a DocBook
    page's outermost division, an AsciiDoc page's content), or None; `made_by`: its generator, if read."""
    made_by = generator(root) if made_by is None else made_by
    docbook = "docbook" in made_by
    xpaths = ["//main", "//*[@role='main']", "//article"]
    if docbook:
        xpaths.append(f"//div[{DOCBOOK_DIVISION}][not(ancestor::div[{DOCBOOK_DIVISION}])]")
    if asciidoc(root, made_by):  # AsciiDoc and Asciidoctor: the page's text, between header and footer
        xpaths.append("//div[@id='content']")
    for xpath in xpaths:
        found = root.xpath(xpath)
        if found:
            main = max(found, key=lambda node: len(node.text_content()))
            if docbook:
                _tidy_docbook(main)
            return main
    return None


def _tidy_docbook(main) -> None:
    """A DocBook division without its lists of contents (a page that only lists others keeps its
    list: it has nothing else), its FAQ tables read as questions and answers."""
    contents = main.xpath(".//div" + DOCBOOK_CONTENTS)
    if len(main.text_content()) - sum(len(part.text_content()) for part in contents) >= LISTS_ONLY:
        for part in contents:
            part.drop_tree()
    _questions_and_answers(main)


def _questions_and_answers(node) -> None:
    """A DocBook FAQ's table (a row per question, a row per answer) as a heading per question
    and its answer's paragraphs under it: as table rows, each answer was one cell of a row."""
    from lxml import etree

    for listing in node.xpath(".//div[contains(@class, 'qandaset')]/dl"):  # its list of questions
        listing.drop_tree()
    for table in node.xpath(".//div[contains(@class, 'qandaset')]//table"):
        parts = []
        for row in table.xpath("./tr | ./tbody/tr"):
            kind = row.get("class", "")
            cells = row.xpath("./td")
            if kind == "qandadiv":
                heading = etree.Element("h2")
                heading.text = " ".join(row.text_content().split())
                parts.append(heading)
            elif kind == "question":
                code = row.xpath(".//pre")  # a question's program, shown after it, as code
                for block in code:
                    block.drop_tree()
                heading = etree.Element("h3")
                heading.text = " ".join(" ".join(cell.text_content().split()) for cell in cells).strip()
                parts += [heading, *code]
            elif kind == "answer" and cells:
                answer = cells[-1]
                answer.tag = "div"
                parts.append(answer)
        if parts:
            replacement = etree.Element("div")
            replacement.extend(parts)
            replacement.tail = table.tail
            table.getparent().replace(table, replacement)


def _text_slots(element):
    """(node, "text" or "tail") for each piece of text inside `element`, in reading order."""
    yield element, "text"
    for child in element:
        yield from _text_slots(child)
        yield child, "tail"


def _one_line(element) -> None:
    """The element's text on one line, without space at its ends (a term's markup wraps it)."""
    slots = list(_text_slots(element))
    for node, slot in slots:
        setattr(node, slot, re.sub(r"\s+", " ", getattr(node, slot) or ""))
    for ordered, strip in ((slots, str.lstrip), (slots[::-1], str.rstrip)):
        for node, slot in ordered:
            setattr(node, slot, strip(getattr(node, slot)))
            if getattr(node, slot):
                break


def _term_lead_ins(node, whole: bool = False) -> None:
    """A definition list's term as the lead-in of its definition's first paragraph
    ("`--num-callers=<number> [default: 12]`: Specifies the maximum number of entries …"), so the
    option and what it does are one sentence, not a name line that a chunk may end on."""
    for definition in node.xpath(".//dd"):
        terms = []
        before = definition.getprevious()
        while before is not None and before.tag == "dt":
            terms.insert(0, before)
            before = before.getprevious()
        first = definition[0] if len(definition) and not (definition.text or "").strip() else None
        if not terms or first is None or (first.tag != "p" and not whole):
            continue
        if first.tag != "p":  # a definition opening with a listing or a list: the term on a line of its own
            first = definition.makeelement("p", {})
            definition.insert(0, first)
        for term in terms:
            _one_line(term)
        for term in terms[:-1]:
            term.tail = ", "
        said = terms[-1].text_content().rstrip()
        colon = "" if whole and said.endswith(":") else ":"  # "Speed:" as written, not "Speed::"
        terms[-1].tail = f"{colon} {first.text or ''}"
        first.text = None
        for at, term in enumerate(terms):
            term.tag = "span"
            first.insert(at, term)
        definition.tag = "div"  # plain paragraphs, not markdownify's ":   " definition


def _converter():
    from markdownify import MarkdownConverter

    class PageConverter(MarkdownConverter):
        """Markdown for reading and indexing: a block quote is a plain paragraph (documentation sites
        use it for indentation), emphasis and escapes are dropped (noise to search and to answers)."""

        def convert_blockquote(self, el, text, parent_tags):
            return f"\n\n{text.strip()}\n\n" if text.strip() else ""

        def convert_em(self, el, text, parent_tags):
            return text

        convert_strong = convert_i = convert_b = convert_em

        def convert_code(self, el, text, parent_tags):
            if "pre" not in parent_tags:  # inline code is one line ("make\ninstall" broke a fence)
                text = " ".join(text.split())
            return super().convert_code(el, text, parent_tags)

        def convert_pre(self, el, text, parent_tags):
            # a block whose code holds a fence line of its own (```` ```python ````) is fenced by a
            # longer run of backticks, so that line does not close it early
            block = super().convert_pre(el, text, parent_tags)
            inner = max((len(run) for run in re.findall(r"^[ \t]*(`{3,})", text, re.M)), default=0)
            if not inner:
                return block
            fence = "`" * (inner + 1)
            head, _, body = block.strip("\n").partition("\n")
            return f"\n\n{fence}{head[3:]}\n{body[: -len('```')]}{fence}\n\n"

    return PageConverter(
        heading_style="ATX",
        strip=["a", "img"],
        bullets="-",
        escape_underscores=False,
        escape_asterisks=False,
        escape_misc=False,
        table_infer_header=False,  # a table without <th> gets an empty header, not its first row
    )


def html_to_markdown(node, whole_definitions: bool = False) -> str:
    """The element's text as Markdown (headings, lists, code, tables), links and images reduced to
    their text; with `whole_definitions` (AsciiDoc pages), every definition list's term leads its
    definition, one opening with a listing or a list included."""
    from bs4 import BeautifulSoup
    from lxml import html as lxml_html

    tags, asides, predicate, anchors = NOT_CONTENT
    for element in [
        *node.xpath(".//" + " | .//".join([*tags.split("|"), asides])),
        *node.xpath(".//*" + predicate),
        *node.xpath(".//*" + anchors),
    ]:
        if element.getparent() is not None:
            element.drop_tree()
    for title in node.xpath(".//p" + BOX_TITLE):
        _lead_in(title)
    _term_lead_ins(node, whole_definitions)
    soup = BeautifulSoup(lxml_html.tostring(node, encoding="unicode"), "lxml")
    return re.sub(r"\n{3,}", "\n\n", _converter().convert_soup(soup)).strip()


REDIRECT = re.compile(
    rb"<meta[^>]+http-equiv=[\"']?refresh[\"']?[^>]+content=[\"'][^\"']*url=([^\"'>]+)", re.IGNORECASE
)


def redirect_of(data: bytes) -> str | None:
    """Where a page that only sends the reader elsewhere (a meta refresh, little text: a moved page
    of a documentation site) points, or None for a page with content of its own."""
    found = REDIRECT.search(data[:4096])
    if found is None or len(re.sub(rb"<[^>]*>|\s+", b"", data)) > REDIRECT_TEXT:
        return None
    return found.group(1).decode("utf-8", "replace").strip()


REDIRECT_TEXT = 600  # characters of text outside tags a page that only redirects stays under


def load_html(data: bytes, fallback_title: str) -> tuple[str, str]:
    """Title and Markdown of a page: its main content element converted faithfully when the page
    marks one (documentation sites, most articles), else trafilatura's boilerplate removal."""
    from lxml import etree
    from lxml import html as lxml_html

    if b"\x00" in data[:8192]:
        raise IngestError("binary file, not HTML")
    try:
        root = lxml_html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise IngestError(f"malformed HTML: {exc}") from None
    made_by = generator(root)  # read once: which content division, and how its definitions read
    main = main_content(root, made_by)
    if main is not None:
        heading = main.find(".//h1")
        text = html_to_markdown(main, whole_definitions=asciidoc(root, made_by))
        title = heading.text_content() if heading is not None else root.findtext(".//title")
    else:
        text, title = _extract_boilerplate_free(data)
    if not text.strip():
        raise NothingToIndex("no readable text found in the HTML")
    title = " ".join((title or "").replace("¶", "").split())
    return title or fallback_title, text


def _extract_boilerplate_free(data: bytes) -> tuple[str, str | None]:
    """trafilatura's main-text extraction as Markdown (one pass), with the page title."""
    import trafilatura

    try:
        extracted = trafilatura.extract(
            data, output_format="markdown", with_metadata=True, include_tables=True, favor_recall=True
        )
    except Exception as exc:  # trafilatura raises a variety of parser errors on broken markup
        raise IngestError(f"malformed HTML: {exc}") from None
    if not extracted:
        return "", None
    meta, text = _split_front_matter(extracted)  # with_metadata puts the title in front matter
    return text, str(meta["title"]) if meta.get("title") else None


# What extracting a PDF's text may cost, in proportion to the file's size: pages can share one
# content stream, and a stream can inflate ~1000x, so a 7 KB file made pypdf parse 8 MB of page
# content (18 s). Real PDFs hold about their own size in content and 0.05 operations per byte.
# Any PDF, however small, may use the floors (about a second of work each).
PDF_CONTENT_PER_BYTE, PDF_CONTENT_FLOOR = 32, 1_000_000  # decoded page content (and forms), all pages
PDF_OPERATIONS_PER_BYTE, PDF_OPERATIONS_FLOOR = 4, 200_000  # content operations interpreted


class PdfBudgetSpent(BaseException):
    """Raised from inside pypdf's extraction, which logs and skips an Exception from a form."""


def _content_bytes(node, depth: int = 0) -> int:
    """Decoded bytes of what extracting a page's text parses: its content streams, and the form
    XObjects its resources offer (three levels deep). Decoding is C (zlib); parsing is not."""
    from pypdf.generic import ArrayObject

    total = 0
    if depth == 0 and (contents := node.get("/Contents")) is not None:
        contents = contents.get_object()
        streams = contents if isinstance(contents, ArrayObject) else [contents]
        total += sum(len(stream.get_object().get_data()) for stream in streams)
    resources = node.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    if xobjects is not None and depth < 3:
        for ref in xobjects.get_object().values():
            form = ref.get_object()
            if form.get("/Subtype") == "/Form":
                total += len(form.get_data()) + _content_bytes(form, depth + 1)
    return total


def load_pdf(data: bytes, *, max_chars: int | None = None) -> tuple[str | None, list[str]]:
    """The title and the text of each page, within a budget of work in proportion to the file's
    size (page content parsed, operations interpreted) and at most `max_chars` of text."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf logs what it repairs or gives up on ("invalid pdf header", "EOF marker not found") to
    # stderr, above the progress bars; the one line that matters is the failure this raises.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    budget = max(PDF_CONTENT_FLOOR, PDF_CONTENT_PER_BYTE * len(data))
    operations = max(PDF_OPERATIONS_FLOOR, PDF_OPERATIONS_PER_BYTE * len(data))
    too_much = (
        "the PDF's pages hold far more content than its size suggests (shared or highly compressed "
        "content streams): not extracted"
    )

    def count(*_):
        nonlocal operations
        operations -= 1
        if operations < 0:
            raise PdfBudgetSpent

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IngestError("encrypted PDF")
        pages, chars = [], 0
        for page in reader.pages:
            budget -= _content_bytes(page)  # before parsing: a shared stream is parsed per page
            if budget < 0:
                raise IngestError(too_much)
            pages.append(page.extract_text(visitor_operand_before=count) or "")
            chars += len(pages[-1])
            if max_chars is not None and chars > max_chars:
                raise IngestError(f"the PDF's text is longer than the {max_chars:,}-character limit")
        title = reader.metadata.title if reader.metadata else None
    except IngestError:
        raise
    except PdfBudgetSpent:
        raise IngestError(too_much) from None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError, AttributeError) as exc:
        raise IngestError(f"malformed PDF: {exc}") from None
    if not any(page.strip() for page in pages):
        raise IngestError("the PDF has no extractable text (scanned images?)")
    return title, pages


# A terminal escape sequence whole ("\x1b[31m", "\x1b]0;title\x07"), then any control character left.
ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-~]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidi embeddings, overrides and isolates: "Safe \u202egnp.exe" shows as "Safe exe.png"
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
LINE_BREAK = re.compile(r"[\t\n\r\x85\u2028\u2029]+")


def printable(text: str) -> str:
    """Text without control characters (tabs and line breaks kept) or bidi overrides: an escape
    sequence in a page or a file name would restyle, hide or clear the terminal it is printed in,
    and an override would show a name reversed."""
    return BIDI.sub("", CONTROL.sub("", ESCAPE_SEQUENCE.sub("", text)))


def one_line(text: str) -> str:
    """printable(), on one line: a file name or title with a line break forged lines of output
    ("failed spoof/bad" + "skipped everything.md: ...")."""
    return printable(LINE_BREAK.sub(" ", text))


def load_document(
    data: bytes, kind: str, *, doc_id: str, source: str, name: str, max_chars: int | None = None
) -> Document:
    """Parse `data` as `kind`; raise IngestError naming what is wrong. `max_chars` bounds the text
    a PDF may expand to (other kinds are no longer than their bytes)."""
    if not data.strip():
        raise NothingToIndex("empty file")
    fallback = Path(name).stem.replace("_", " ").replace("-", " ") or name
    fallback = one_line(fallback)
    if kind == "md":
        title, text, meta = load_markdown(printable(decode_text(data)), fallback)  # YAML refuses controls
        return Document(doc_id, source, title, text, kind, meta)
    if kind == "txt":
        title, text = load_plain_text(printable(decode_text(data)), fallback)
        return Document(doc_id, source, title, text, kind)
    if kind == "html":
        title, text = load_html(data, fallback)
        return Document(doc_id, source, one_line(title), printable(text), kind)
    if kind == "rst":
        title, text = load_rst(printable(decode_text(data)), fallback)
        return Document(doc_id, source, one_line(title), printable(text), kind)
    if kind == "pdf":
        title, pages = load_pdf(data, max_chars=max_chars)
        pages = [printable(p) for p in pages]
        return Document(doc_id, source, one_line(title or fallback), "\n\n".join(pages), kind, pages=pages)
    raise IngestError(f"unknown document kind {kind!r}")
