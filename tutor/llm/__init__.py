"""Answerers, chosen by name from one registry: config, CLI, API and evals all read `ANSWERERS`.

Adding a provider: subclass `Answerer` (or `LLMAnswerer` for an SDK) with a `name`, `stream()`,
`from_settings()`, and add it here.
"""

from __future__ import annotations

from tutor.config import Settings
from tutor.embeddings import Embedder
from tutor.errors import ConfigError
from tutor.llm.base import Answerer, Message, rule_based_condense
from tutor.llm.offline import OfflineAnswerer
from tutor.llm.providers import AnthropicAnswerer, OpenAIAnswerer, OpenAICompatibleAnswerer

ANSWERERS: dict[str, type[Answerer]] = {
    cls.name: cls for cls in (AnthropicAnswerer, OpenAIAnswerer, OpenAICompatibleAnswerer, OfflineAnswerer)
}
PROVIDERS = tuple(ANSWERERS)
FALLBACK = OfflineAnswerer.name  # what "auto" means when no key is configured

__all__ = [
    "ANSWERERS",
    "PROVIDERS",
    "Answerer",
    "Message",
    "get_answerer",
    "offered_providers",
    "provider_help",
    "resolve_provider",
    "rule_based_condense",
]


def provider_help() -> str:
    return ", ".join(["auto", *PROVIDERS])


def resolve_provider(settings: Settings, provider: str | None = None) -> str:
    """The explicit choice, else the setting; "auto" means the first provider whose key is
    configured, else offline."""
    name = (provider or settings.provider).strip().lower()
    if name == "auto":
        keyed = (
            cls.name
            for cls in ANSWERERS.values()
            if cls.chosen_by_auto and cls.key_setting and getattr(settings, cls.key_setting)
        )
        return next(keyed, FALLBACK)
    if name not in ANSWERERS:
        raise ConfigError(f"Unknown provider: choose one of {', '.join(PROVIDERS)} (or auto).")
    return name


def offered_providers(settings: Settings) -> list[str]:
    """The providers this configuration has what it needs for (what API clients may pick), in
    registry order: each answerer says so itself (`Answerer.offered`), the default provider always."""
    default = resolve_provider(settings)
    return [name for name, cls in ANSWERERS.items() if name == default or cls.offered(settings)]


def get_answerer(
    settings: Settings, embedder: Embedder, provider: str | None = None, model: str | None = None
) -> Answerer:
    return ANSWERERS[resolve_provider(settings, provider)].from_settings(
        settings, embedder=embedder, model=model
    )
