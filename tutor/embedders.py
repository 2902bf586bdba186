"""Choosing the embedding backend for the settings: the one module that knows every backend.

`tutor/embeddings.py` holds the interface and the sentence-transformers reference,
`tutor/onnx_embedder.py` the ONNX Runtime backend; neither imports this module, so there is no cycle.
"""

from __future__ import annotations

from tutor.config import Settings, model_cache_dir
from tutor.embeddings import Embedder, SentenceTransformerEmbedder, resolve_model
from tutor.onnx_embedder import OnnxEmbedder

# Measured on the reference roadmaps (298 chunks, 2 cores): ONNX Runtime is fastest with small
# batches of length-sorted texts (4: 7.6 s, 8: 8.1-8.8 s, 16: 8.3-9.7 s, 64: 12.0 s), while
# sentence-transformers' encode does best with its usual 64.
ONNX_BATCH_SIZE = 4
ST_BATCH_SIZE = 64


def get_embedder(settings: Settings) -> Embedder:
    """The configured backend; ONNX needs a local model folder (hub names use sentence-transformers)."""
    if settings.embedding_backend == "onnx" and resolve_model(settings.embedding_model)[1] is not None:
        return OnnxEmbedder(
            settings.embedding_model,
            model_cache_dir(settings) / "onnx",
            batch_size=settings.embedding_batch_size or ONNX_BATCH_SIZE,
            quantized=settings.onnx_quantize,
            threads=settings.embedding_threads,
        )
    return SentenceTransformerEmbedder(
        settings.embedding_model, batch_size=settings.embedding_batch_size or ST_BATCH_SIZE
    )
