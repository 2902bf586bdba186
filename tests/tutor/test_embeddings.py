"""The real default model (bundled, offline): normalised vectors and the truncation we guard against."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.config import Settings
from tutor.embedders import get_embedder
from tutor.embeddings import resolve_model
from tutor.errors import ConfigError


@pytest.fixture(scope="module")
def real():
    return get_embedder(Settings(_env_file=None))


def test_default_model_resolves_to_the_bundled_folder():
    model_id, folder = resolve_model("all-MiniLM-L6-v2")
    assert model_id == "all-MiniLM-L6-v2" and (folder / "model.safetensors").exists()


def test_a_missing_model_folder_is_a_clear_error():
    with pytest.raises(ConfigError, match="Embedding model folder not found"):
        resolve_model("./no/such/model")


def test_embeddings_are_normalised_and_in_input_order(real):
    texts = ["a much longer sentence about gradient boosting on tabular data", "short", "PyTorch"]
    vectors = real.embed(texts)
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[1], real.embed_query("short"), atol=1e-5)


def test_text_beyond_the_limit_is_silently_ignored_by_the_model(real):
    """Why chunks must fit: the model truncates at 256 tokens, so the tail never reaches the vector."""
    head = " ".join(["machine learning roadmap"] * 120)  # well over 256 tokens
    assert real.count_tokens(head) > real.max_tokens == 256
    with_tail = head + " completely different ending about cooking pasta and tomato sauce"
    assert float(real.embed([head])[0] @ real.embed([with_tail])[0]) > 0.9999
