"""GraphQL errors with a stable ``extensions.code`` that resolvers raise on purpose."""

from __future__ import annotations

from enum import StrEnum

from graphql import GraphQLError

from clients import BadRequestError, DownstreamUnavailable, InvalidIdError, NotFoundError


class ErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    DOWNSTREAM_UNAVAILABLE = "DOWNSTREAM_UNAVAILABLE"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class CodedError(GraphQLError):
    """An error whose message is safe to show to the app, with a machine-readable code."""

    def __init__(self, message: str, code: ErrorCode) -> None:
        super().__init__(message, extensions={"code": code.value})
        self.code = code


def bad_user_input(message: str) -> CodedError:
    return CodedError(message, ErrorCode.BAD_USER_INPUT)


def unauthenticated() -> CodedError:
    return CodedError("A valid access token is required.", ErrorCode.UNAUTHENTICATED)


def forbidden() -> CodedError:
    return CodedError("Not allowed to access this resource.", ErrorCode.FORBIDDEN)


def not_found(what: str) -> CodedError:
    return CodedError(f"{what} not found.", ErrorCode.NOT_FOUND)


def coded_error_for(exc: BaseException | None) -> CodedError | None:
    """The app-facing error for an exception a resolver let through; ``None`` if unexpected."""
    if isinstance(exc, CodedError):
        return exc
    if isinstance(exc, InvalidIdError):
        return bad_user_input("An id is not valid.")
    if isinstance(exc, NotFoundError):
        return not_found("Resource")
    if isinstance(exc, DownstreamUnavailable):
        return CodedError(
            f"The {exc.service} service is unavailable; try again shortly.",
            ErrorCode.DOWNSTREAM_UNAVAILABLE,
        )
    if isinstance(exc, BadRequestError):
        return bad_user_input(f"The {exc.service} service refused the request as invalid.")
    return None
