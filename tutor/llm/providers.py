"""LLM answerers over the official SDKs: Anthropic, OpenAI, and OpenAI-compatible servers.

The SDKs' own retries (with backoff that honours retry-after) and timeouts are configured from
settings; SDK errors become one ProviderError naming the provider and what to do.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from tutor.errors import MissingKeyError, ProviderError
from tutor.llm.base import Answerer, Message
from tutor.prompts import SYSTEM_PROMPT, answer_prompt, condense_prompt
from tutor.types import Passage


def without_credentials(url: str) -> str:
    """A URL fit to show: no user:password@ and no query string (either may hold a key)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an unparsable URL)"
    host = f"[{host}]" if ":" in host else host
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


@contextmanager
def provider_errors(provider: str, key_env_var: str | None, timeout: float, public_name: str | None = None):
    """Translate either SDK's exceptions (they share names) into ProviderError: its message for the
    operator names `provider` and quotes the provider's reply; its public text names `public_name`
    (default `provider`) and quotes nothing."""
    public_name = public_name or provider
    try:
        yield
    except Exception as exc:  # SDK classes are imported lazily; match them by name
        kind = type(exc).__name__
        status = getattr(exc, "status_code", None)
        if kind == "AuthenticationError" or status == 401:
            where = f"check {key_env_var}" if key_env_var else "check the server's API key"
            raise ProviderError(
                f"{provider} rejected the API key (401): {where}.",
                public=f"{public_name} rejected the server's API key (401).",
            ) from None
        if kind == "PermissionDeniedError" or status == 403:
            raise ProviderError(
                f"{provider} refused the request (403): the key lacks access to this model.",
                public=f"{public_name} refused the request (403): the server's key lacks access.",
            ) from None
        if kind == "RateLimitError" or status == 429:
            raise ProviderError(
                f"{provider} is rate limiting requests (429) even after retries: wait a minute and try "
                "again, or use --provider offline.",
                retryable=True,
                public=f"{public_name} is rate limiting requests (429): try again in a minute.",
            ) from None
        if kind == "APITimeoutError":
            raise ProviderError(
                f"{provider} did not answer within {timeout:g} s: try again, or raise TUTOR_LLM_TIMEOUT.",
                retryable=True,
                public=f"{public_name} did not answer within {timeout:g} s: try again.",
            ) from None
        if kind == "APIConnectionError":
            raise ProviderError(
                f"Cannot reach {provider}: check the network (or TUTOR_OPENAI_BASE_URL), "
                "or use --provider offline.",
                retryable=True,
                public=f"Cannot reach {public_name}: try again later.",
            ) from None
        if kind == "NotFoundError" or status == 404:
            raise ProviderError(
                f"{provider} does not know this model (404): check --model / TUTOR_MODEL.",
                public=f"{public_name} does not know the server's model (404).",
            ) from None
        if status is not None and status >= 500:
            raise ProviderError(
                f"{provider} had a server error ({status}): try again later.",
                retryable=True,
                public=f"{public_name} had a server error ({status}): try again later.",
            ) from None
        if status is not None:
            raise ProviderError(
                f"{provider} rejected the request ({status}): {getattr(exc, 'message', exc)}",
                public=f"{public_name} rejected the request ({status}).",
            ) from None
        raise


class LLMAnswerer(Answerer):
    """What the SDK-backed answerers share: construction from settings, one SDK client, and
    condensing a follow-up with their own `complete()`."""

    default_model = ""
    label = "the provider"  # how errors name it to clients

    @property
    def operator_label(self) -> str:
        """How errors name it in the server's log (may say more than clients see)."""
        return self.label

    def __init__(
        self,
        *,
        api_key: str,
        model: str | None,
        timeout: float,
        max_retries: int,
        max_tokens: int,
        base_url: str | None = None,
    ):
        self.model = model or self.default_model
        self.timeout, self.max_tokens, self.base_url = timeout, max_tokens, base_url
        self.client = self.make_client(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
        )

    @classmethod
    def from_settings(cls, settings, *, embedder=None, model: str | None = None) -> LLMAnswerer:
        return cls(
            api_key=cls.api_key(settings),
            model=model or settings.model,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
            max_tokens=settings.llm_max_tokens,
        )

    @classmethod
    def offered(cls, settings) -> bool:
        value = getattr(settings, cls.key_setting) if cls.key_setting else None
        return value is not None and bool(value.get_secret_value().strip())

    @classmethod
    def api_key(cls, settings) -> str:
        value = getattr(settings, cls.key_setting) if cls.key_setting else None
        if value is None or not value.get_secret_value().strip():
            where = f"set {cls.key_env_var} (in the environment or .env)"
            raise MissingKeyError(f"The {cls.name} provider needs an API key: {where}.")
        return value.get_secret_value()

    def make_client(self, **options):
        raise NotImplementedError

    def _errors(self):
        return provider_errors(self.operator_label, self.key_env_var, self.timeout, self.label)

    def complete(self, prompt: str, *, system: str | None = None, max_tokens: int = 200) -> str:
        raise NotImplementedError

    def condense(self, question: str, history: Sequence[Message]) -> str:
        if not history:
            return question
        return self.complete(condense_prompt(question, history)) or question


class AnthropicAnswerer(LLMAnswerer):
    name = "anthropic"
    label = "Anthropic"
    key_env_var = "ANTHROPIC_API_KEY"
    key_setting = "anthropic_api_key"
    chosen_by_auto = True
    default_model = "claude-sonnet-5-5"  # tests/tutor/test_providers.py: current per the installed SDK

    def make_client(self, **options):
        import anthropic

        return anthropic.Anthropic(**options)

    def stream(self, question: str, passages: Sequence[Passage], history: Sequence[Message]) -> Iterator[str]:
        messages = [*history, {"role": "user", "content": answer_prompt(question, passages)}]
        with (
            self._errors(),
            self.client.messages.stream(
                model=self.model,
                max_tokens=self.max_tokens,
                system=SYSTEM_PROMPT,
                messages=messages,
            ) as stream,
        ):
            yield from stream.text_stream

    def complete(self, prompt: str, *, system: str | None = None, max_tokens: int = 200) -> str:
        """One non-streamed reply at temperature 0 (condensing, judging)."""
        extra = {"system": system} if system else {}
        with self._errors():
            reply = self.client.messages.create(
                model=self.model,
                max_tokens=max_tokens,
                temperature=0,
                messages=[{"role": "user", "content": prompt}],
                **extra,
            )
        return "".join(block.text for block in reply.content if getattr(block, "type", "") == "text").strip()


class OpenAIAnswerer(LLMAnswerer):
    """OpenAI's Chat Completions API."""

    name = "openai"
    label = "OpenAI"
    key_env_var = "OPENAI_API_KEY"
    key_setting = "openai_api_key"
    chosen_by_auto = True
    default_model = "gpt-5.4-mini"  # tests/tutor/test_providers.py: current per the installed SDK

    def make_client(self, **options):
        import openai

        return openai.OpenAI(**options)

    def stream(self, question: str, passages: Sequence[Passage], history: Sequence[Message]) -> Iterator[str]:
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            *history,
            {"role": "user", "content": answer_prompt(question, passages)},
        ]
        with self._errors():
            response = self.client.chat.completions.create(
                model=self.model, messages=messages, temperature=0, max_tokens=self.max_tokens, stream=True
            )
            for event in response:
                if event.choices and event.choices[0].delta.content:
                    yield event.choices[0].delta.content

    def complete(self, prompt: str, *, system: str | None = None, max_tokens: int = 200) -> str:
        """One non-streamed reply at temperature 0 (condensing, judging)."""
        messages = [{"role": "system", "content": system}] if system else []
        with self._errors():
            reply = self.client.chat.completions.create(
                model=self.model,
                messages=[*messages, {"role": "user", "content": prompt}],
                temperature=0,
                max_tokens=max_tokens,
            )
        return (reply.choices[0].message.content or "").strip()


class OpenAICompatibleAnswerer(OpenAIAnswerer):
    """Any OpenAI-compatible server (Ollama, vLLM, LM Studio) at TUTOR_OPENAI_BASE_URL; a key only
    if that server wants one."""

    name = "openai-compatible"
    label = "The OpenAI-compatible server"
    key_env_var = None
    chosen_by_auto = False

    @classmethod
    def from_settings(cls, settings, *, embedder=None, model: str | None = None) -> LLMAnswerer:
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        return cls(
            api_key=key,
            model=model or settings.model or settings.compatible_model,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
            max_tokens=settings.llm_max_tokens,
            base_url=settings.openai_base_url,
        )

    @property
    def operator_label(self) -> str:
        return f"{self.label} at {without_credentials(self.base_url or '')}"

    @classmethod
    def offered(cls, settings) -> bool:
        """Only when the operator named a server: the default URL (a port on this host) is not one."""
        return "openai_base_url" in settings.model_fields_set
