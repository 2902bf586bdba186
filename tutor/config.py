"""Settings from the environment and `.env` (prefix TUTOR_); get_settings() is cached and does no I/O."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
SHIPPED_CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"


class Settings(BaseSettings):
    """Every setting, documented in .env.example. Explicit arguments beat the environment."""

    model_config = SettingsConfigDict(
        env_prefix="TUTOR_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # Store
    data_dir: Path = Field(Path(".tutor"), description="Where the store and keyword index live.")
    chroma_host: str | None = Field(None, description="Use a Chroma server at this host.")
    chroma_port: int = Field(8000, ge=1, le=65535)
    collection: str = Field("tutor", min_length=3, description="Chroma collection name.")
    cache_dir: Path | None = Field(
        None,
        description="Where the exported ONNX model lives, shared by every data dir "
        "(default: the platform's user cache folder, e.g. ~/.cache/tutor).",
    )

    # Learners (tutor/learner)
    database_url: SecretStr | None = Field(
        None,
        description="The learner database: unset for SQLite at DATA_DIR/learners.db, or "
        "postgresql+psycopg://user:password@host/db for a server several API hosts share.",
    )
    learner: str = Field("me", description="The learner the CLI's learner commands use by default.")

    # Embeddings and chunking
    embedding_model: str = Field(
        DEFAULT_EMBEDDING_MODEL,
        description="all-MiniLM-L6-v2 (the bundled copy) or any sentence-transformers path/name.",
    )
    embedding_backend: Literal["onnx", "sentence-transformers"] = Field(
        "onnx", description="onnx (exported once into DATA_DIR/onnx, fast) or sentence-transformers."
    )
    onnx_quantize: bool = Field(
        False, description="int8 dynamic quantisation of the ONNX model (faster, vectors drift a little)."
    )
    embedding_threads: int = Field(0, ge=0, description="ONNX Runtime threads; 0 = the CPU count.")
    embedding_batch_size: int | None = Field(
        None, ge=1, le=1024, description="Texts per encode call; default: measured best per backend."
    )
    chunk_size: int = Field(200, ge=32, description="Target chunk size in model tokens.")
    chunk_overlap: int = Field(
        0, ge=0, description="Tokens repeated between chunks; the context window brings neighbours instead."
    )

    # Loading
    fetch_timeout: float = Field(15.0, gt=0, description="Seconds before a URL fetch gives up.")
    max_document_bytes: int = Field(20_000_000, ge=1, description="Larger files/URLs are refused.")
    corpus_dir: Path = Field(SHIPPED_CORPUS_DIR, description="Ingested when the store is empty.")

    # Retrieval
    top_k: int = Field(5, ge=1, le=50)
    context_budget: int = Field(1500, ge=100, description="Tokens of passages given to the answerer.")
    relevance_floor: float = Field(
        0.3, ge=-1, le=1, description="Below this best cosine similarity, tutor declines to answer."
    )
    context_window: int = Field(
        1, ge=0, le=3, description="Neighbouring chunks (same section) each hit brings into the context."
    )
    mmr: bool = Field(False, description="Re-rank with maximal marginal relevance to avoid near-duplicates.")
    mmr_lambda: float = Field(0.7, ge=0, le=1, description="MMR: 1 = relevance only, 0 = diversity only.")

    # Answering
    provider: str = Field("auto", description="auto, or a provider registered in tutor.llm.ANSWERERS.")
    model: str | None = Field(None, description="Model name for the chosen provider.")
    openai_base_url: str = Field("http://localhost:11434/v1", description="For openai-compatible.")
    compatible_model: str = Field("llama3.1", description="Default model for openai-compatible.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds per LLM request.")
    llm_max_retries: int = Field(2, ge=0, le=10, description="SDK retries (with backoff) per request.")
    llm_max_tokens: int = Field(800, ge=16, description="Longest answer, in the LLM's tokens.")

    # HTTP API (`tutor serve`)
    api_keys: SecretStr | None = Field(
        None, description="Comma-separated keys; when set, every /v1 route needs `Authorization: Bearer KEY`."
    )
    admin_key: SecretStr | None = Field(None, description="Key for POST /v1/ingest (disabled when unset).")
    cors_origins: str = Field("", description="Comma-separated origins allowed by CORS (none by default).")
    allowed_hosts: str = Field(
        "",
        description="Without API keys the server answers only requests addressed to 127.0.0.1, localhost "
        "or [::1] (DNS-rebinding protection); comma-separated host names to accept as well, or * for any.",
    )
    rate_limit: int = Field(
        60, ge=0, description="Requests per minute per API key (or client address without keys); 0 = off."
    )
    auth_failure_limit: int = Field(
        10, ge=0, description="Wrong API or admin keys per minute per client address before 429; 0 = off."
    )
    max_body_bytes: int = Field(65_536, ge=1024, description="Larger request bodies get 413.")
    max_messages: int = Field(40, ge=1, description="Most messages in one /v1/chat request.")
    max_message_chars: int = Field(
        4000, ge=1, description="Longest message in /v1/chat, and question in the CLI."
    )
    ingest_roots: str = Field(
        "", description="Comma-separated folders POST /v1/ingest may read from (none by default)."
    )
    allow_private_urls: bool = Field(
        False, description="Let POST /v1/ingest fetch loopback, private and link-local addresses."
    )
    request_read_timeout: float = Field(
        15.0,
        gt=0,
        description="Seconds a client has to send a whole request (headers and body) to `tutor serve`, "
        "from connecting or from the previous response's keep-alive time (slow clients: slowloris).",
    )
    max_header_bytes: int = Field(
        16_384, ge=4096, le=1_048_576, description="Largest request head (request line and headers)."
    )
    forwarded_allow_ips: str = Field(
        "",
        description="Comma-separated proxy addresses (or *) whose X-Forwarded-For gives the client "
        "address; none by default, so no client can pick its rate-limit address.",
    )

    # Providers (read by tutor.llm; keys never logged)
    anthropic_api_key: SecretStr | None = Field(None, validation_alias="ANTHROPIC_API_KEY")
    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")

    @model_validator(mode="after")
    def _data_dir_is_a_folder(self) -> Settings:
        """A file given as the data dir: every door failed on it, one with a traceback (`serve`)."""
        if self.data_dir.expanduser().exists() and not self.data_dir.expanduser().is_dir():
            raise ValueError(f"TUTOR_DATA_DIR (--data-dir) {self.data_dir} is a file, not a folder")
        return self

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("TUTOR_CHUNK_OVERLAP must be smaller than TUTOR_CHUNK_SIZE")
        return self

    @model_validator(mode="after")
    def _keys_hold_keys(self) -> Settings:
        """A key setting that is set but holds no key must not quietly mean "no auth"."""
        keys = self.api_keys.get_secret_value() if self.api_keys else ""
        if keys and not split_list(keys):  # "   " too: blanks are no key, not "no auth"
            raise ValueError(
                "TUTOR_API_KEYS is set but holds no key (only commas and blanks): "
                "give at least one key, or leave it empty to turn API keys off"
            )
        admin = self.admin_key.get_secret_value() if self.admin_key else ""
        if admin and not admin.strip():
            raise ValueError(
                "TUTOR_ADMIN_KEY is only spaces: give a key, or leave it empty to disable ingest"
            )
        return self


def model_cache_dir(settings: Settings) -> Path:
    """The folder for derived model files (the ONNX export): TUTOR_CACHE_DIR, else the user's cache."""
    if settings.cache_dir is not None:
        return Path(settings.cache_dir).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("tutor", appauthor=False))


def split_list(value: str | SecretStr | None) -> list[str]:
    """A comma-separated setting as a list, blanks dropped."""
    raw = value.get_secret_value() if isinstance(value, SecretStr) else (value or "")
    return [part.strip() for part in raw.split(",") if part.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
