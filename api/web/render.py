"""Rendering pages: the Jinja2 environment, figures embedded as JSON, language and refusals.

Owns ``render_page``, ``environment``, ``page_lang``, ``require`` and ``PageForbiddenError``. The
templates live in ``api/web/templates``; they are rendered here with our own Jinja2
environment (autoescaped), so the app needs no template configuration. A figure goes into the
page as JSON in a ``<script type="application/json">`` block drawn by ``duban.js``; plotly.js
itself is one cached file (``api.web.static``), never inlined.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, cast

import jinja2
from litestar.enums import MediaType
from litestar.response import Response
from litestar.utils.scope.state import ScopeState

from api.auth import AppRequest, LoginRedirectError, Principal
from api.web.public_text import word
from api.web.static import asset_urls
from dashboards.embed import Embedded
from dashboards.i18n import CATALOGUE, choose_lang, text

LANG_COOKIE = "duban_lang"


class PageForbiddenError(Exception):
    """The signed-in user's role may not see this page (rendered as a 403 page)."""

    status_code = 403  # an ordinary refusal: the server logs no traceback for it

    def __init__(self, role: str, allowed: Iterable[str]) -> None:
        self.role = role
        self.allowed = tuple(allowed)
        super().__init__(f"a {role} user may not see this page; it is for {' or '.join(self.allowed)}")


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                              autoescape=True,
                              trim_blocks=True, lstrip_blocks=True)


def page_lang(request: AppRequest) -> str:
    return choose_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


def csrf_token(request: AppRequest) -> str:
    state = ScopeState.from_scope(request.scope).csrf_token
    return state if isinstance(state, str) else request.cookies.get("csrftoken", "")


def require(request: AppRequest, *allowed: str) -> Principal:
    """The signed-in principal if its role is allowed; anonymous visitors go to the login page."""
    who = request.scope.get("user")
    if who is None:
        target = request.scope["path"]
        if request.scope.get("query_string"):
            target += "?" + request.scope["query_string"].decode("latin-1")
        raise LoginRedirectError(target)
    if allowed and who.role not in allowed:
        raise PageForbiddenError(who.role, allowed)
    return cast(Principal, who)


def render_template(template: str, *, lang: str, who: Any, csrf: str,
                    figures: Iterable[Embedded] = (), **context: Any) -> str:
    """The HTML of ``template`` (no request needed: the benchmark renders pages with this)."""

    def t(key: str) -> str:
        return text(key, lang)

    def w(key: str) -> str:  # the public and complaint pages' words (api.web.public_text)
        return word(key, lang)

    return environment().get_template(template).render(
        t=t, w=w, lang=lang, who=who, csrf=csrf, assets=asset_urls(), figures=list(figures),
        catalogue=CATALOGUE, **context)


def render_page(request: AppRequest, template: str, *, status: int = 200,
                figures: Iterable[Embedded] = (), **context: Any) -> Response[str]:
    """The page ``template`` in the request's language, with its figures and CSRF token."""
    lang = page_lang(request)
    body = render_template(template, lang=lang, who=request.scope.get("user"),
                           csrf=csrf_token(request), figures=figures, **context)
    response = Response(body, media_type=MediaType.HTML, status_code=status)
    asked = request.query_params.get("lang")
    if asked in ("zh", "en") and asked != request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def forbidden_page(request: AppRequest, exc: PageForbiddenError) -> Response[str]:
    lang = page_lang(request)
    allowed = "、".join(text(f"role_{r}", lang) for r in exc.allowed if f"role_{r}" in CATALOGUE)
    message = text("forbidden", lang) + (f"{text('forbidden_for', lang)}{allowed}。" if allowed and lang != "en"
                                         else f" {text('forbidden_for', lang)}{allowed}." if allowed else "")
    return render_page(request, "message.html", status=403, heading=text("forbidden", lang),
                       message=message, link="/")
