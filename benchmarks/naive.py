"""The naive tutorial pipeline both benchmarks compare against, in one place.

A page's text as a tutorial gets it (HTML flattened to its text, as BeautifulSoup's get_text would),
RecursiveCharacterTextSplitter(1000, 200), the same MiniLM through LangChain's HuggingFaceEmbeddings
(sentence-transformers), Chroma.from_texts; for hybrid search, rank_bm25 over the same chunks fused
with the dense ranking by reciprocal rank. Needs the bench extras: pip install -e ".[bench]".
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

WORD = re.compile(r"\w+")
RRF_K = 60


def page_text(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix.lower() in (".html", ".htm"):
        import lxml.html

        root = lxml.html.fromstring(data)
        for node in root.xpath("//script|//style"):
            node.drop_tree()
        return root.text_content()
    return data.decode("utf-8", errors="replace")


def files_of(inputs: list[str]) -> list[Path]:
    """The files of the inputs (folders walked), as a tutorial's directory loader would find them."""
    from ingest.loaders import KINDS

    out = []
    for raw in inputs:
        path = Path(raw)
        found = sorted(path.rglob("*")) if path.is_dir() else [path]
        out += [p for p in found if p.suffix.lower() in KINDS and p.is_file()]
    return out


def split(files: list[Path]) -> tuple[list[str], list[str]]:
    """(chunk texts, their sources) as the tutorial's splitter cuts them."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    texts, sources = [], []
    for f in files:
        for piece in splitter.split_text(page_text(f)):
            texts.append(piece)
            sources.append(str(f))
    return texts, sources


def embeddings(model_dir: str):
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(model_name=model_dir, model_kwargs={"device": "cpu"})


def build(files: list[Path], embedding) -> NaiveIndex:
    """Read, split, embed and store: the whole naive ingest."""
    import chromadb
    from langchain_chroma import Chroma

    texts, sources = split(files)
    chroma = Chroma.from_texts(
        texts,
        embedding,
        metadatas=[{"i": i} for i in range(len(texts))],
        client=chromadb.EphemeralClient(),
        collection_name=f"naive-{uuid.uuid4().hex[:8]}",
    )
    return NaiveIndex(texts, sources, chroma)


class NaiveIndex:
    def __init__(self, texts: list[str], sources: list[str], chroma):
        self.texts, self.sources, self.chroma = texts, sources, chroma
        self._bm25 = None

    def dense(self, query: str, k: int = 10) -> list[int]:
        return [doc.metadata["i"] for doc in self.chroma.similarity_search(query, k=k)]

    def rrf(self, query: str, k: int = 10) -> list[int]:
        if self._bm25 is None:
            from rank_bm25 import BM25Okapi

            self._bm25 = BM25Okapi([WORD.findall(t.lower()) for t in self.texts])
        scores = self._bm25.get_scores(WORD.findall(query.lower()))
        keyword = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
        fused: dict[int, float] = {}
        for ranking in (self.dense(query, k), keyword):
            for rank, i in enumerate(ranking, start=1):
                fused[i] = fused.get(i, 0.0) + 1 / (RRF_K + rank)
        return sorted(fused, key=lambda i: -fused[i])[:k]
