"""One error tree for foreseeable problems; the CLI and the API translate it at the edges."""


class TutorError(Exception):
    """A problem the user can act on; its message is shown as is, without a traceback."""

    exit_code = 1


class ConfigError(TutorError):
    """A setting is missing, malformed or contradicts another."""

    exit_code = 2


class MissingKeyError(ConfigError):
    """A provider needs an API key that is not configured."""


class ProviderError(TutorError):
    """An LLM provider failed; `retryable` says whether trying later may help. The message is for
    the operator (it may name the provider's address and quote its reply); `public` is what an API
    client may read: neither of those."""

    def __init__(self, message: str, *, retryable: bool = False, public: str | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.public = public or message


class StoreError(TutorError):
    """The vector store or keyword index cannot be opened, read or written."""


class NotFoundError(TutorError):
    """Something named by the user (a topic, a quiz, an item) does not exist. The message may send a
    command-line user to a command; `public` is what the other doors (HTTP, MCP) show instead."""

    def __init__(self, message: str, *, public: str | None = None):
        super().__init__(message)
        self.public = public or message


class IngestError(TutorError):
    """One document could not be loaded; the message names the reason."""


class NothingToIndex(IngestError):
    """A document holds no text worth a passage (a page of links, a file that only includes
    another): in a folder it is skipped, not failed."""


class UnknownFilterValue(TutorError):
    """A filter names a value no ingested document has, or one several documents' values end with.
    `key` is the filter; `public` is the message without the command line's wording."""

    def __init__(self, message: str, *, key: str, public: str):
        super().__init__(message)
        self.key = key
        self.public = public
