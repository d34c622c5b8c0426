"""Users, API tokens, the signed-in user, the login page and the audit trail."""

from __future__ import annotations

import functools
import html
import secrets
import time
from typing import Annotated, Any, cast

from litestar import Controller, Response, get, patch, post
from litestar.enums import MediaType, RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect
from litestar.utils.scope.state import ScopeState
from msgspec import Struct

from api import audit, proxies, throttle, users
from api.auth import AppRequest, forget_cached, principal, roles, signed_in
from api.controllers.common import Limit, Offset, caller
from api.schemas import (
    AuditPage,
    AuditRead,
    AuditVerifyRead,
    TokenCreate,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
    set_fields,
)
from api.service import InputError, Server
from api.web.static import asset_urls


def user_read(u: users.User) -> UserRead:
    return UserRead(u.username, u.display, u.role, u.unit, u.active)


class UserController(Controller):
    path = "/api"
    tags = ["users"]  # noqa: RUF012

    @get("/me", operation_id="getMe", guards=[signed_in])
    async def me(self, request: AppRequest) -> UserRead:
        return user_read(await users.get(caller(request).username))

    @get("/users", operation_id="listUsers", guards=[roles("office")])
    async def list_users(self) -> list[UserRead]:
        return [user_read(u) for u in await users.list_users()]

    @post("/users", operation_id="createUser", guards=[roles("office")])
    async def create_user(self, request: AppRequest, server: Server, data: UserCreate) -> UserRead:
        units = set((await server.snapshot()).portfolio.unit_by_id)
        async with server.writing():
            user = await users.create(data.username, role=data.role, unit=data.unit, password=data.password,
                                      display=data.display, units=units)
            await audit.append(caller(request).username, "user.create", f"user:{user.username}", None, user.public())
        return user_read(user)

    @patch("/users/{username:str}", operation_id="updateUser", guards=[roles("office")])
    async def update_user(self, request: AppRequest, server: Server, username: str, data: UserUpdate) -> UserRead:
        units = set((await server.snapshot()).portfolio.unit_by_id)
        async with server.writing():
            old = await users.get(username)
            user = await users.update(username, units=units, **set_fields(data))
            after: dict[str, Any] = user.public()
            if "password" in set_fields(data):
                after["password"] = "changed"
            await audit.append(caller(request).username, "user.update", f"user:{username}", old.public(), after)
        forget_cached(username)  # their sessions and tokens carry the role, unit and activity changed
        return user_read(user)

    @post("/tokens", operation_id="createToken", guards=[signed_in])
    async def create_token(self, request: AppRequest, server: Server, data: TokenCreate) -> TokenRead:
        who = caller(request)
        async with server.writing():
            token = await users.issue_token(who.username, data.name)
            await audit.append(who.username, "token.create", f"user:{who.username}", None, {"name": data.name})
        return TokenRead(who.username, data.name, token)


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]  # noqa: RUF012

    @get("/", operation_id="listAudit", guards=[roles("office", "leader")])
    async def list_entries(self, *, offset: Offset = 0, limit: Limit = 50, actor: str | None = None,
                           action: str | None = None, subject: str | None = None) -> AuditPage:
        rows, total = await audit.entries(offset=offset, limit=limit, actor=actor, action=action, subject=subject)
        return AuditPage([AuditRead(e.seq, e.at, e.actor, e.action, e.subject, e.before, e.after, e.hash)
                          for e in rows], total, offset, limit)

    @get("/verify", operation_id="verifyAudit", guards=[roles("office", "leader")])
    async def verify(self, head: Annotated[str | None, Parameter(
            description="an anchor N:HEAD kept outside the database (from an export)")] = None) -> AuditVerifyRead:
        """Walk the keyed chain (and, with ``head``, check it still holds the anchored entry)."""
        if head is not None:
            try:
                audit.parse_anchor(head)
            except ValueError as exc:
                raise InputError("head", str(exc)) from None
        v = await audit.verify(head=head)
        message = f"审计链共 {v.entries} 条，完整无误 — the chain of {v.entries} entries is intact" if v.ok else v.reason
        return AuditVerifyRead(v.ok, v.entries, v.first_bad, message, await audit.anchor())


class LoginForm(Struct):
    username: str = ""
    password: str = ""
    next: str = "/"


_PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>督办 duban — 登录</title>
{prefetch}
<style>body{{font-family:sans-serif;max-width:24rem;margin:4rem auto;padding:0 .5rem}}label,input,button{{display:block;width:100%;margin:.4rem 0;box-sizing:border-box}}
.error{{color:#b00}}</style></head><body><h1>督办 duban</h1>{error}
<form method="post" action="/login"><input type="hidden" name="_csrf_token" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<label>用户名 Username<input name="username" autocomplete="username" required></label>
<label>密码 Password<input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">登录 Sign in</button></form></body></html>"""


@functools.cache
def _prefetch() -> str:
    """The first page after sign-in needs the pages' style, script and plotly.js (1.2 MB, 330 kB
    as brotli): the browser fetches them into its cache while the person types (``prefetch``
    is fetched when the page is idle, at the lowest priority, and never run here); their URLs
    are versioned and cached for a year, so it happens once per browser and version."""
    urls = asset_urls()
    return "".join(f'<link rel="prefetch" href="{html.escape(urls[name])}" as="{kind}">'
                   for name, kind in (("duban.css", "style"), ("duban.js", "script"), ("plotly", "script")))


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


def login_page(request: AppRequest, next_: str, error: str = "", status: int = 200,
               headers: dict[str, str] | None = None) -> Response[str]:
    state = ScopeState.from_scope(request.scope).csrf_token
    token = state if isinstance(state, str) else request.cookies.get("csrftoken", "")
    body = _PAGE.format(error=f'<p class="error">{html.escape(error)}</p>' if error else "",
                        csrf=html.escape(str(token)), next=html.escape(_safe_next(next_)), prefetch=_prefetch())
    return Response(body, media_type=MediaType.HTML, status_code=status, headers=headers)


def login_throttle(request: AppRequest) -> throttle.LoginThrottle:
    """This app's login throttle (made on first use)."""
    state = request.app.state
    if state.get("login_throttle") is None:
        state["login_throttle"] = throttle.LoginThrottle()
    return cast(throttle.LoginThrottle, state["login_throttle"])


class SessionController(Controller):
    path = "/"
    include_in_schema = False

    @get("/login", operation_id="loginPage")
    async def page(self, request: AppRequest, next: str = "/") -> Response[str]:
        return login_page(request, next)

    @post("/login", operation_id="login", status_code=303)
    async def login(self, request: AppRequest, server: Server,
                    data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)]) -> Response[Any]:
        limits = login_throttle(request)
        # The real client behind a trusted proxy (DUBAN_TRUSTED_PROXIES); anyone else's
        # X-Forwarded-For is ignored, so a client cannot pick the address it is counted under.
        address = proxies.client_address(request.client.host if request.client else None,
                                         request.headers.getall("x-forwarded-for", []),
                                         server.settings.trusted_proxies)
        wait = limits.wait_seconds(data.username, address)
        if wait:
            return login_page(request, data.next, throttle.refusal(wait), status=429,
                              headers={"Retry-After": str(wait)})
        signed_in = await users.authenticate(data.username, data.password)
        if signed_in is None:
            limits.failed(data.username, address)
            return login_page(request, data.next, "用户名或密码不对 — wrong username or password", status=401)
        limits.succeeded(data.username)
        user = signed_in.user
        if signed_in.rehashed is not None:  # a hash of an older cost: stored anew at today's
            async with server.writing():
                await users.upgrade_hash(signed_in)
        # this user's session lookup is read afresh (a deactivation or bump another process made
        # may be held here); other users' lookups and this user's tokens are unchanged
        forget_cached(user.username, tokens=False)
        request.set_session({"user": user.username, "ver": user.session_version, "iat": int(time.time()),
                             "nonce": secrets.token_hex(8)})
        return Redirect(path=_safe_next(data.next), status_code=303)

    @post("/logout", operation_id="logout", status_code=303)
    async def logout(self, request: AppRequest, server: Server) -> Redirect:
        who = principal(request)
        if who is not None and who.via == "session":
            async with server.writing():  # every copy of this user's session cookie stops working
                await users.end_sessions(who.username)
            forget_cached(who.username, tokens=False)  # logout ends sessions, not tokens
        request.clear_session()
        return Redirect(path="/login", status_code=303)
