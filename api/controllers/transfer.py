"""Imports and exports: the portfolio as data (the portfolio-file shape) and as Excel."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from api import audit, excel, offload, visibility
from api.auth import AppRequest, roles, signed_in
from api.controllers.common import XLSX, attachment, caller
from api.schemas import ImportResult
from api.service import Server, now_iso
from projects import loader
from projects import repository as repo
from projects.checks import parse_portfolio
from projects.model import Portfolio
from rules import repository as rules_repo


async def import_checked(server: Server, portfolio: Portfolio, actor: str, *, source: str,
                         calendar: bool) -> dict[str, int]:
    """Store a checked portfolio, audit it and re-evaluate everything, in one transaction.
    ``calendar``: the portfolio came from a portfolio file, which names its calendar kind (a
    workbook does not, and leaves the stored kind alone)."""
    async with server.writing():
        counts = await repo.import_portfolio(portfolio, actor=actor, known_on=server.today(), recorded_at=now_iso(),
                                             calendar=calendar)
        await server.changed(actor, "portfolio.import", f"portfolio:{source}", None, counts)
        await server.snapshot()
        snap = await server.snapshot()
        await server._evaluate_and_store(snap.portfolio, snap.calendar, server.today(), projects=None,
                                         actor=actor, reason="import")
    return counts


class TransferController(Controller):
    path = "/api"
    tags = ["import-export"]  # noqa: RUF012

    @get("/portfolio", operation_id="exportPortfolio", guards=[signed_in])
    async def export_portfolio(self, request: AppRequest, server: Server,
                               as_of: dt.date | None = None) -> Response[dict[str, Any]]:
        if as_of is not None:
            from api.controllers.evaluations import check_day  # noqa: PLC0415

            check_day(as_of, server.today(), "as_of")
        portfolio = (await server.snapshot()).portfolio if as_of is None else await server.portfolio_as_of(as_of)
        return Response(loader.dump_portfolio(visibility.visible_portfolio(caller(request), portfolio)),
                        headers=await audit.export_anchor("portfolio"))

    @post("/portfolio", operation_id="importPortfolio", guards=[roles("office")])
    async def import_portfolio(self, request: AppRequest, server: Server, data: dict[str, Any]) -> ImportResult:
        portfolio = await offload.run(parse_portfolio, data, today=server.today(), source="upload")
        counts = await import_checked(server, portfolio, caller(request).username, source="upload", calendar=True)
        return ImportResult(**counts)

    @get("/portfolio.xlsx", operation_id="exportPortfolioExcel", guards=[signed_in],
         media_type=XLSX)
    async def export_excel(self, request: AppRequest, server: Server) -> Response[bytes]:
        """The portfolio as the caller sees it (``api.visibility``): its projects, their findings,
        and the rankings for the office and the leaders only."""
        who = caller(request)
        whole = (await server.snapshot()).portfolio
        portfolio = visibility.visible_portfolio(who, whole)
        seen = visibility.visible_projects(who, whole)
        findings, _ = await rules_repo.findings(limit=100_000, among=None if seen is None else (seen, who.unit))
        latest = await rules_repo.latest_full_evaluation() if visibility.sees_figures(who) else None
        headers = await audit.export_anchor("portfolio.xlsx")
        data = excel.export_workbook(portfolio, findings, latest.scores if latest else {},
                                     anchor=headers[audit.HEADER])
        return attachment(data, "duban-portfolio.xlsx", headers=headers)

    @get("/portfolio/template.xlsx", operation_id="portfolioTemplate", guards=[signed_in], media_type=XLSX)
    async def template(self) -> Response[bytes]:
        return attachment(excel.template_workbook(), "duban-template.xlsx")

    @post("/portfolio.xlsx", operation_id="importPortfolioExcel", guards=[roles("office")])
    async def import_excel(self, request: AppRequest, server: Server,
                           data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)]) -> ImportResult:
        content = await data.read()
        portfolio = await offload.run(excel.read_workbook, content, today=server.today(),
                                      source=data.filename or "upload.xlsx")
        counts = await import_checked(server, portfolio, caller(request).username,
                                      source=data.filename or "upload.xlsx", calendar=False)
        return ImportResult(**counts)
