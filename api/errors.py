"""Errors to HTTP, once: one table from ``DubanError`` classes to a status and a kind, one
function that serialises any of them.

    unknown thing (RecordNotFoundError, RulebookNotFoundError, NoticeNotFoundError...) -> 404
    stale or out-of-order change (StaleVersionError, NoticeStateError, ...)            -> 409
    bad portfolio / bad rule / bad value (PortfolioError, RulebookError, InputError)   -> 422
    too many filings from one address (ComplaintLimitError), with Retry-After          -> 429
    nobody signed in                                                                   -> 401
    role or unit does not allow it                                                     -> 403

A class not in the table answers as its nearest ancestor that is (``DubanError`` itself: 422).
Every body is JSON ``{"status", "error", "message", "where", "suggestions", ...}``: ``current``
when the error met a state worth redoing the change on, and the error's ``details()``
(problems with their places, rule diagnostics, versions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)

from api.excel import WorkbookError
from api.schemas import milestone_read
from api.settings import SettingsError
from api.users import UserError, UserNotFoundError
from api.values import ForbiddenError, InputError
from dsl import RulebookError
from notifier.errors import (
    DeliveryConfigError,
    NoticeForbiddenError,
    NoticeInputError,
    NoticeNotFoundError,
    NoticeStateError,
)
from projects.errors import (
    ComplaintLimitError,
    ComplaintLinkError,
    ComplaintStateError,
    DubanError,
    DuplicateError,
    ExtensionStateError,
    PortfolioError,
    RecordNotFoundError,
    StaleVersionError,
    UnknownIdError,
)
from projects.model import Milestone
from rules.errors import EvaluationNotFoundError, RulebookNotFoundError, RulebookStateError

Handler = Callable[[Request[Any, Any, Any], Exception], Response[Any]]

#: Each class of refusal and how HTTP says it: (status, short kind).
STATUS: dict[type[DubanError], tuple[int, str]] = {
    DubanError: (422, "invalid_input"),
    RecordNotFoundError: (404, "not_found"),
    UnknownIdError: (404, "not_found"),
    RulebookNotFoundError: (404, "not_found"),
    EvaluationNotFoundError: (404, "not_found"),
    UserNotFoundError: (404, "not_found"),
    NoticeNotFoundError: (404, "not_found"),
    StaleVersionError: (409, "conflict"),
    DuplicateError: (409, "conflict"),
    ExtensionStateError: (409, "conflict"),
    ComplaintStateError: (409, "conflict"),
    ComplaintLinkError: (404, "not_found"),
    ComplaintLimitError: (429, "too_many_requests"),
    RulebookStateError: (409, "conflict"),
    NoticeStateError: (409, "conflict"),
    InputError: (422, "invalid_input"),
    UserError: (422, "invalid_input"),
    NoticeInputError: (422, "invalid_input"),
    PortfolioError: (422, "invalid_portfolio"),
    RulebookError: (422, "invalid_rulebook"),
    WorkbookError: (422, "invalid_workbook"),
    ForbiddenError: (403, "forbidden"),
    NoticeForbiddenError: (403, "forbidden"),
    SettingsError: (500, "misconfigured"),
    DeliveryConfigError: (500, "misconfigured"),
}


def status_of(kind: type[DubanError]) -> tuple[int, str]:
    """The status and kind of an error class: its own entry or its nearest ancestor's."""
    for cls in kind.__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return STATUS[DubanError]


def serialise(exc: DubanError) -> dict[str, Any]:
    """The one JSON form of a refusal, whoever answers it (the API, a page's JSON endpoint)."""
    status, error = status_of(type(exc))
    out: dict[str, Any] = {"status": status, "error": error, "message": exc.summary(),
                           "where": exc.where, "suggestions": list(exc.suggestions)}
    current = _current(exc)
    if current is not None:
        out["current"] = current
    return {**out, **exc.details()}


def _current(exc: DubanError) -> Any:
    value = exc.current
    if isinstance(value, Milestone) and isinstance(exc, StaleVersionError):
        return milestone_read(value, exc.current_version)
    if isinstance(value, str | int | float | bool):
        return value
    return None


def body(status: int, error: str, message: str, **details: Any) -> Response[dict[str, Any]]:
    return Response({"status": status, "error": error, "message": message, **details}, status_code=status)


def _refused(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, DubanError)
    out = serialise(exc)
    wait = out.get("retry_after")  # a bound that lifts by itself (ComplaintLimitError): say when
    headers = {"Retry-After": str(wait)} if isinstance(wait, int) else None
    return Response(out, status_code=out["status"], headers=headers)


def _bad_request(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, ValidationException)
    problems = exc.extra if isinstance(exc.extra, list) else []
    said = [str(p.get("message")) for p in problems if isinstance(p, dict) and p.get("message")]
    message = str(exc.detail) + (": " + "; ".join(said) if said else "")
    return body(400, "bad_request", message, problems=exc.extra or [])


def _unauthorised(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    detail = exc.detail if isinstance(exc, HTTPException) else str(exc)
    return body(401, "unauthorised", detail)


def _forbidden(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    detail = exc.detail if isinstance(exc, HTTPException) else str(exc)
    return body(403, "forbidden", detail)


def _http(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, HTTPException)
    return body(exc.status_code, "http_error", exc.detail)


def _too_deep(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """A body nested so deep that decoding it ran out of recursion: the client's mistake."""
    return body(400, "bad_request", "请求体嵌套太深 — the request body is nested too deeply to read; a portfolio "
                "or rulebook nests a few levels only")


def _not_utf8(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """A form or multipart text field that is not UTF-8 (Litestar's form parser raises while
    reading the body): the client's mistake, not a server error."""
    return body(400, "bad_request", "请求中的文本字段不是 UTF-8 编码 — a text field of the request is not UTF-8; "
                "send text fields as UTF-8 and files as file parts")


def refusal_classes() -> set[type[Exception]]:
    """Every ``DubanError`` class answered with a 4xx: ordinary refusals, logged without a
    traceback (Litestar matches these by exact class, so every subclass is listed)."""
    found: set[type[Exception]] = set()
    todo: list[type[DubanError]] = [DubanError]
    while todo:
        cls = todo.pop()
        if status_of(cls)[0] < 500:
            found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def exception_handlers() -> dict[type[Exception] | int, Handler]:
    return {
        DubanError: _refused,
        ValidationException: _bad_request,
        NotAuthorizedException: _unauthorised,
        PermissionDeniedException: _forbidden,
        HTTPException: _http,
        RecursionError: _too_deep,
        UnicodeDecodeError: _not_utf8,
    }
