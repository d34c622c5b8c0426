"""Core errors to HTTP, in one table.

    unknown thing (RecordNotFoundError, RulebookNotFoundError, NoticeNotFoundError...) -> 404
    stale or out-of-order change (StaleVersionError, NoticeStateError, ...)            -> 409
    bad portfolio / bad rule / bad value (PortfolioError, RulebookError, InputError)   -> 422
    nobody signed in                                                                   -> 401
    role or unit does not allow it                                                     -> 403

Every body is JSON ``{"status", "error", "message", ...}`` with the details a person needs to
fix the request: suggestions, the current state, problems with their places, rule spans.
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
from api.service import ForbiddenError, InputError
from api.users import UserError, UserNotFoundError
from dsl import RulebookError
from notifier.errors import NoticeInputError, NoticeNotFoundError, NoticeStateError
from projects.errors import PortfolioError
from projects.repository import DuplicateError, RecordNotFoundError, StaleVersionError
from rules.repository import EvaluationNotFoundError, RulebookNotFoundError, RulebookStateError

Handler = Callable[[Request, Exception], Response]  # type: ignore[type-arg]


def body(status: int, error: str, message: str, **details: Any) -> Response[dict[str, Any]]:
    return Response({"status": status, "error": error, "message": message, **details}, status_code=status)


def _not_found(_: Request, exc: Exception) -> Response:  # type: ignore[type-arg]
    return body(404, "not_found", str(exc), suggestions=list(getattr(exc, "suggestions", ()) or ()))


def _stale(_: Request, exc: Exception) -> Response:  # type: ignore[type-arg]
    details: dict[str, Any] = {}
    if isinstance(exc, StaleVersionError):
        from api.schemas import milestone_read  # noqa: PLC0415 - schemas import this module's siblings

        details = {"expected_version": exc.expected, "current_version": exc.current}
        if exc.kind == "milestone" and exc.state is not None:
            m, version = exc.state
            details["current"] = milestone_read(m, version)
    return body(409, "conflict", str(exc), **details)


def _portfolio(_: Request, exc: Exception) -> Response:  # type: ignore[type-arg]
    problems = [{"where": p.where, "message": p.message} for p in getattr(exc, "problems", ())]
    n = len(problems)
    return body(422, "invalid_portfolio", f"the portfolio has {n} problem{'s' if n != 1 else ''}; nothing was changed",
                problems=problems)


def _rulebook(_: Request, exc: Exception) -> Response:  # type: ignore[type-arg]
    return body(422, "invalid_rulebook", "the rulebook has errors; nothing was changed",
                diagnostics=[diagnostic(d) for d in getattr(exc, "diagnostics", ())])


def diagnostic(d: Any) -> dict[str, Any]:
    return {"file": d.file, "line": d.line, "column": d.column, "end_column": getattr(d, "end_column", None),
            "message": d.message, "suggestion": getattr(d, "suggestion", None), "text": d.render()}


def _workbook(_: Request, exc: Exception) -> Response:  # type: ignore[type-arg]
    problems = [{"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.message}
                for p in getattr(exc, "problems", ())]
    return body(422, "invalid_workbook", str(exc).splitlines()[0], problems=problems)


def _input(_: Request, exc: Exception) -> Response:  # type: ignore[type-arg]
    return body(422, "invalid_input", str(exc), where=getattr(exc, "where", None))


def _bad_request(_: Request, exc: Exception) -> Response:  # type: ignore[type-arg]
    assert isinstance(exc, ValidationException)
    problems = exc.extra if isinstance(exc.extra, list) else []
    said = [str(p.get("message")) for p in problems if isinstance(p, dict) and p.get("message")]
    message = str(exc.detail) + (": " + "; ".join(said) if said else "")
    return body(400, "bad_request", message, problems=exc.extra or [])


def _unauthorised(_: Request, exc: Exception) -> Response:  # type: ignore[type-arg]
    detail = exc.detail if isinstance(exc, HTTPException) else str(exc)
    return body(401, "unauthorised", detail)


def _forbidden(_: Request, exc: Exception) -> Response:  # type: ignore[type-arg]
    detail = exc.detail if isinstance(exc, HTTPException) else str(exc)
    return body(403, "forbidden", detail)


def _http(_: Request, exc: Exception) -> Response:  # type: ignore[type-arg]
    assert isinstance(exc, HTTPException)
    return body(exc.status_code, "http_error", exc.detail)


def _too_deep(_: Request, exc: Exception) -> Response:  # type: ignore[type-arg]
    """A body nested so deep that decoding it ran out of recursion: the client's mistake."""
    return body(400, "bad_request", "请求体嵌套太深 — the request body is nested too deeply to read; a portfolio "
                "or rulebook nests a few levels only")


def exception_handlers() -> dict[type[Exception] | int, Handler]:
    table: dict[type[Exception] | int, Handler] = {
        RecordNotFoundError: _not_found,
        RulebookNotFoundError: _not_found,
        EvaluationNotFoundError: _not_found,
        UserNotFoundError: _not_found,
        StaleVersionError: _stale,
        DuplicateError: _stale,
        RulebookStateError: _stale,
        InputError: _input,
        WorkbookError: _workbook,
        UserError: _input,
        ForbiddenError: _forbidden,
        ValidationException: _bad_request,
        NotAuthorizedException: _unauthorised,
        PermissionDeniedException: _forbidden,
        HTTPException: _http,
        NoticeNotFoundError: _not_found,
        NoticeStateError: _stale,
        NoticeInputError: _input,
        PortfolioError: _portfolio,
        RulebookError: _rulebook,
        RecursionError: _too_deep,
    }
    return table
