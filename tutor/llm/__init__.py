"""Answerers: choose one by name ("anthropic", "openai", "openai-compatible", "offline")."""

from __future__ import annotations

from tutor.config import Settings
from tutor.embeddings import Embedder
from tutor.errors import ConfigError
from tutor.llm.base import Answerer, Message, rule_based_condense

PROVIDERS = ("anthropic", "openai", "openai-compatible", "offline")

__all__ = [
    "PROVIDERS",
    "Answerer",
    "Message",
    "get_answerer",
    "offered_providers",
    "resolve_provider",
    "rule_based_condense",
]


def resolve_provider(settings: Settings, provider: str | None = None) -> str:
    """The explicit choice, else the setting; "auto" means a configured key's provider, else offline."""
    name = (provider or settings.provider).strip().lower()
    if name == "auto":
        if settings.anthropic_api_key:
            return "anthropic"
        if settings.openai_api_key:
            return "openai"
        return "offline"
    if name not in PROVIDERS:
        raise ConfigError(f"Unknown provider {name!r}: choose one of {', '.join(PROVIDERS)} (or auto).")
    return name


def offered_providers(settings: Settings) -> list[str]:
    """The providers this configuration has what it needs for, in PROVIDERS order: offline, one
    whose key is set, and openai-compatible when its base URL was set or it is the default
    provider (the default URL, a port on this host, is not something to offer otherwise)."""
    offered = {"offline"}
    for name, key in (("anthropic", settings.anthropic_api_key), ("openai", settings.openai_api_key)):
        if key is not None and key.get_secret_value().strip():
            offered.add(name)
    if "openai_base_url" in settings.model_fields_set or resolve_provider(settings) == "openai-compatible":
        offered.add("openai-compatible")
    return [name for name in PROVIDERS if name in offered]


def get_answerer(
    settings: Settings, embedder: Embedder, provider: str | None = None, model: str | None = None
):
    name = resolve_provider(settings, provider)
    model = model or settings.model
    common = {
        "model": model,
        "timeout": settings.llm_timeout,
        "max_retries": settings.llm_max_retries,
        "max_tokens": settings.llm_max_tokens,
    }
    if name == "offline":
        from tutor.llm.offline import OfflineAnswerer

        return OfflineAnswerer(embedder)
    from tutor.llm.providers import AnthropicAnswerer, OpenAIAnswerer, require_key

    if name == "anthropic":
        return AnthropicAnswerer(
            api_key=require_key(settings.anthropic_api_key, "ANTHROPIC_API_KEY", "anthropic"), **common
        )
    if name == "openai":
        return OpenAIAnswerer(
            api_key=require_key(settings.openai_api_key, "OPENAI_API_KEY", "openai"), **common
        )
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return OpenAIAnswerer(
        api_key=key,
        base_url=settings.openai_base_url,
        name="openai-compatible",
        **{**common, "model": model or settings.compatible_model},
    )
