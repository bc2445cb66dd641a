"""The exceptions a downstream call can raise: a small hierarchy callers can match on."""

from __future__ import annotations


class DownstreamError(Exception):
    """Anything that went wrong calling a downstream service."""

    def __init__(self, service: str, message: str) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service


class DownstreamUnavailable(DownstreamError):
    """The service could not give an answer: connection failure, timeout, 5xx, 429, bad body."""

    def __init__(
        self,
        service: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(service, message)
        # The HTTP status when the service answered at all; None for network failures.
        self.status = status
        self.retry_after = retry_after


class DownstreamTimeout(DownstreamUnavailable):
    """The service did not answer in time (or the request's deadline left no time to ask)."""


class CircuitOpen(DownstreamUnavailable):
    """The service's breaker is open: the call was refused without touching the network."""

    fail_fast = True


class BulkheadRejected(DownstreamUnavailable):
    """Too many calls to the service were already in flight."""

    fail_fast = True


class PartialBatch(DownstreamUnavailable):
    """A batch get of which some ids could be served (``found``) and the others could not."""

    def __init__(self, error: DownstreamUnavailable, found: dict[str, object]) -> None:
        super().__init__(error.service, str(error), status=error.status)
        self.found = found


class MalformedResponse(DownstreamUnavailable):
    """The service answered with a body that does not follow the contract."""


class ProblemError(DownstreamError):
    """A 4xx answer carrying RFC 9457 problem details (or as much of them as was sent)."""

    def __init__(
        self,
        service: str,
        status: int,
        code: str,
        *,
        field: str | None = None,
        title: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(service, f"{status} {code}")
        self.status = status
        self.code = code
        self.field = field
        self.title = title
        self.detail = detail


class NotFoundError(ProblemError):
    """404: the single resource asked for does not exist."""


class BadRequestError(ProblemError):
    """400: the service refused the request's shape (a BFF bug or bad user input)."""


class ConflictError(ProblemError):
    """409: the request conflicts with the resource's state."""


class UnprocessableError(ProblemError):
    """422: the request was understood but refused for a business reason."""


class InvalidIdError(ValueError):
    """An id that can never be valid; refused before it reaches a URL."""

    def __init__(self, value: str) -> None:
        super().__init__("invalid id")
        self.value = value
