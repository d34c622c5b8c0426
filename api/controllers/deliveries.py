"""Failed deliveries: which notices could not reach their unit, why, and a retry.

The outbox is the notifier's (``notifier.outbox``: ``failed_deliveries``, ``delivery_log``,
``retry_failed``); this controller lets the supervision office reach it. Contact URLs are
secrets: only the redacted target is ever returned.
"""

from __future__ import annotations

import time
from typing import Any

from litestar import Controller, get, post
from litestar.exceptions import NotFoundException

from api.auth import AppRequest, roles
from api.service import Server
from notifier import outbox


async def failed(server: Server) -> list[Any]:
    return list(await outbox.failed_deliveries(server.engine))


async def retry(server: Server, delivery_id: int) -> None:
    """Queue a failed delivery again; ``NotFoundException`` when it is not a failed one."""
    # An id beyond the column's range is no delivery (the database would refuse to compare it).
    if not 1 <= delivery_id <= 2_147_483_647 or not await outbox.retry_failed(server.engine, delivery_id,
                                                                               now=time.time()):
        raise NotFoundException(f"no failed delivery {delivery_id}: it was delivered, is still "
                                "queued, or does not exist; see GET /api/deliveries")


class DeliveryController(Controller):
    path = "/api/deliveries"
    tags = ["notices"]  # noqa: RUF012

    @get("/", operation_id="listFailedDeliveries", guards=[roles("office")])
    async def list_failed(self, server: Server) -> list[dict[str, Any]]:
        """Deliveries given up on after their last try, with every try and its error."""
        return [_plain(d) for d in await failed(server)]

    @get("/notice/{code:str}", operation_id="noticeDeliveries", guards=[roles("office")])
    async def of_notice(self, server: Server, code: str) -> list[dict[str, Any]]:
        """Every delivery of one notice (delivered, queued or failed), with every try."""
        return [_plain(d) for d in await outbox.delivery_log(server.engine, code)]

    @post("/{delivery_id:int}/retry", operation_id="retryDelivery", guards=[roles("office")],
          status_code=200)
    async def retry_one(self, request: AppRequest, server: Server, delivery_id: int) -> dict[str, Any]:
        """Put a failed delivery back in the queue for a new round of tries."""
        await retry(server, delivery_id)
        return {"id": delivery_id, "state": "pending"}


def _plain(view: Any) -> dict[str, Any]:
    from dataclasses import asdict  # noqa: PLC0415

    return asdict(view)
