"""What routes depend on, as named `Annotated` aliases (tests swap them with
`app.dependency_overrides`): the worker's Service, the verified client, the admin check.

`ClientDep` guards every /v1 route: API keys when configured, then the rate limit. A client is its
verified key, or its address, never a token nobody checked."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from api.models import ErrorOut
from api.safety import RateLimiter, client_address, key_id, key_matches
from tutor.chain import Tutor
from tutor.config import Settings, split_list
from tutor.errors import ConfigError

# Every /v1 router answers these besides its own.
V1_RESPONSES = {
    400: {"model": ErrorOut, "description": "The body could not be parsed"},
    401: {"model": ErrorOut, "description": "Missing or wrong API key (when keys are configured)"},
    413: {"model": ErrorOut, "description": "Request body too large"},
    415: {"model": ErrorOut, "description": "The body was sent without `Content-Type: application/json`"},
    429: {"model": ErrorOut, "description": "Rate limited; see the Retry-After header"},
    503: {"model": ErrorOut, "description": "The store (or provider) is unavailable; try again"},
}


class Service:
    """What one worker holds: settings, one Tutor per provider sharing one store and model, the
    rate limiters and the ingest lock."""

    def __init__(self, settings: Settings, tutor: Tutor | None = None):
        self.settings = settings
        self.tutors: dict[str | None, Tutor] = {None: tutor} if tutor else {}
        self.lock = threading.Lock()  # building tutors
        self.ingest_lock = threading.Lock()  # one ingest at a time per worker
        self.limiter = RateLimiter(settings.rate_limit)
        self.auth_failures = RateLimiter(settings.auth_failure_limit)  # per address
        self.api_keys = split_list(settings.api_keys)
        self.worker_id = uuid.uuid4().hex[:12]  # tells workers apart in /readyz without a process id

    def verify(
        self,
        request: Request,
        given: str,
        keys: list[str],
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> str:
        """The configured key that `given` matches, else `status` with `message` (and `headers`).
        Failed attempts are limited per address: once they run out, every attempt from it is 429 (a
        right guess too) until they refill."""
        address = client_address(request)
        wait = self.auth_failures.peek(address)
        if wait:
            raise HTTPException(
                429, "Too many wrong keys from this address; try again later.", {"Retry-After": str(wait)}
            )
        for key in keys:
            if key_matches(given, key):
                return key
        self.auth_failures.check(address)
        raise HTTPException(status, message, headers)

    def close(self) -> None:
        """At shutdown: what the store holds goes (uvicorn ends a worker by re-raising SIGTERM,
        so exit handlers do not run)."""
        if None in self.tutors:
            self.tutors[None].store.close()

    def tutor(self, provider: str | None = None) -> Tutor:
        """The default Tutor, or the one for `provider`; the name is validated and made canonical
        first ("  Offline " is "offline", an unknown name is a ConfigError), so the cache holds at
        most one Tutor per known provider whatever clients send. A client may only pick a provider
        the operator configured (a key, a base URL): never make the server call one it was not
        told to, nor learn which setting is missing."""
        from tutor.llm import get_answerer, offered_providers, resolve_provider

        name = None if provider is None else resolve_provider(self.settings, provider)
        if name is not None and name not in (offered := offered_providers(self.settings)):
            raise ConfigError(
                f"This server does not offer the {name} provider (it offers: {', '.join(offered)})."
            )
        with self.lock:
            if None not in self.tutors:
                self.tutors[None] = Tutor.from_settings(self.settings)
            if name not in self.tutors:
                base = self.tutors[None]
                answerer = get_answerer(self.settings, base.store.embedder, name)
                self.tutors[name] = Tutor(self.settings, base.store, answerer)
            return self.tutors[name]


def get_service(request: Request) -> Service:
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(get_service)]


@dataclass(frozen=True)
class Client:
    """Who is calling: `key` is the verified API key's id (None when the server has no keys),
    `id` what the rate limit counts (that key, or the address)."""

    id: str
    key: str | None
    address: str


def guard(request: Request, service: ServiceDep) -> Client:
    """API keys (when configured) and the rate limit, for every /v1 route."""
    address = client_address(request)
    key = None
    if service.api_keys:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        message = "Missing or wrong API key: send `Authorization: Bearer <key>`."
        # RFC 6750: a 401 names the scheme that would authenticate the request
        challenge = {"WWW-Authenticate": "Bearer"}
        key = key_id(service.verify(request, token, service.api_keys, 401, message, challenge))
    client = Client(key or "address:" + address, key, address)
    wait = service.limiter.check(client.id)
    if wait:
        limit = service.settings.rate_limit
        raise HTTPException(429, f"Rate limit: {limit} requests a minute.", {"Retry-After": str(wait)})
    return client


ClientDep = Annotated[Client, Depends(guard)]


def require_admin(request: Request, service: ServiceDep) -> None:
    """The admin key (`X-Admin-Key`); admin routes are disabled while TUTOR_ADMIN_KEY is unset."""
    settings = service.settings
    admin = settings.admin_key.get_secret_value() if settings.admin_key else ""
    if not admin:
        raise HTTPException(403, "Ingestion over HTTP is disabled: set TUTOR_ADMIN_KEY on the server.")
    header = request.headers.get("x-admin-key", "")
    service.verify(request, header, [admin], 403, "Missing or wrong admin key: send `X-Admin-Key: <key>`.")


AdminDep = Annotated[None, Depends(require_admin)]


def v1_router(*tags: str, error_model: type[BaseModel] = ErrorOut) -> APIRouter:
    """A /v1 router: every route guarded (keys, rate limit) and documented with the common errors,
    their body described by `error_model`. A route that needs to know who calls asks for
    `ClientDep` (the guard runs once per request)."""
    responses = {status: {**doc, "model": error_model} for status, doc in V1_RESPONSES.items()}
    return APIRouter(prefix="/v1", tags=list(tags), dependencies=[Depends(guard)], responses=responses)
