"""Helpers the controllers share: the caller, pagination parameters, finding shapes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Annotated, Any, cast

import msgspec
from litestar import Response
from litestar.exceptions import NotAuthorizedException
from litestar.params import Parameter

from api.auth import AppRequest, Principal
from api.schemas import EvaluationRead, FindingRead
from rules.repository import HeldFinding, StoredEvaluation, StoredFinding

Offset = Annotated[int, Parameter(ge=0, le=10_000_000, description="items to skip")]
Limit = Annotated[int, Parameter(ge=1, le=500, description="items per page (at most 500)")]


#: The media type of an Excel workbook download.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(data: bytes | str, name: str, media_type: str = XLSX,
               headers: dict[str, str] | None = None) -> Response[Any]:
    """A download the browser saves as ``name`` (with ``headers`` besides)."""
    return Response(data, media_type=media_type,
                    headers={**(headers or {}), "content-disposition": f'attachment; filename="{name}"'})


def caller(request: AppRequest) -> Principal:
    who = request.scope.get("user")
    if who is None:
        raise NotAuthorizedException("sign in first")
    return cast(Principal, who)


def finding_read(f: StoredFinding) -> FindingRead:
    return FindingRead(rule=f.rule, title=f.title, subject=f.subject, level=f.level, message=f.message,
                       project=f.project, unit=f.unit, respond_by=f.respond_by, notify=f.notify,
                       explain=f.explain, evaluation=f.evaluation)


def held_finding_read(h: HeldFinding) -> FindingRead:
    """A finding as a report group holds it (its stored text): ``notify`` and ``explain`` go
    into the answer as the JSON text they are stored as (``msgspec.Raw``), not decoded and
    encoded again; the answer's JSON is the same as ``finding_read(h.stored)``'s."""
    title, level, message, unit, notify, respond_by, explain = h.row
    return FindingRead(rule=h.rule, title=title, subject=h.subject, level=level, message=message,
                       project=h.project, unit=unit, respond_by=respond_by,
                       notify=cast(list[Any], msgspec.Raw(notify.encode())),
                       explain=cast(list[Any], msgspec.Raw(explain.encode())), evaluation=h.evaluation)


def engine_finding_read(f: Any, evaluation: int | None) -> dict[str, Any]:
    from rules.repository import _plain  # noqa: PLC0415

    return {"rule": f.rule, "subject": f.subject, "level": str(getattr(f.level, "value", f.level)),
            "message": f.message, "project": getattr(f, "project", None),
            "explain": _plain(getattr(f, "explain", ())), "evaluation": evaluation}


def levels(findings: Sequence[Any]) -> dict[str, int]:
    return dict(Counter(str(getattr(f.level, "value", f.level)) for f in findings))


def evaluation_read(e: StoredEvaluation, by_level: dict[str, int] | None = None) -> EvaluationRead:
    return EvaluationRead(id=e.id, as_of=e.as_of, rulebook_version=e.rulebook_version,
                          scope=None if e.scope is None else list(e.scope), reason=e.reason, actor=e.actor,
                          ran_at=e.ran_at, findings=e.finding_count, by_level=by_level or {}, errors=e.errors)
