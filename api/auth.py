"""Who is asking, and may they: the authentication middleware and the guards.

A request is authenticated by ``Authorization: Bearer <token>`` (scripts) or by the session
cookie set at ``/login`` (pages). ``request.user`` is then a :class:`Principal`, or ``None``
for an anonymous request; guards answer 401 when nobody is signed in and 403 when the role
does not allow the action. A change to ``/api`` authenticated by the session cookie must echo
the ``csrftoken`` cookie in the ``x-csrftoken`` header (a token request is immune to CSRF).
A session cookie signs in only while its user is active, its session version (bumped by
logout, deactivation and a password change) is the user's current one, and it is younger than
``SESSION_SECONDS`` since sign-in however often it was refreshed. Lookups are cached for a few
seconds per process (dropped at once by a change made in this process); a token revoked or a
user deactivated from another process stops working within that.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeAlias, cast

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.response import Redirect

from api import users

CACHE_SECONDS = 5.0
SESSION_SECONDS = 12 * 3600  # absolute: a session ends this long after sign-in
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Litestar's connection and request, typed once for the app (their type parameters are the
#: user, auth and state, which this app reads through ``principal`` and ``caller``).
AppConnection: TypeAlias = ASGIConnection[Any, Any, Any, Any]
AppRequest: TypeAlias = Request[Any, Any, Any]

#: A guard: a coroutine function (see the note above ``signed_in``).
Guard = Callable[[AppConnection, BaseRouteHandler], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Principal:
    username: str
    role: str
    unit: str | None
    via: str  # "token" | "session"


_cache: dict[str, tuple[float, Principal | None, int]] = {}
#: how many times ``forget_cached`` ran: a lookup read across one is answered but not kept
_forgets = 0


async def _cached(key: str, load: Callable[[], object], *, fresh: bool = False) -> tuple[Principal | None, int]:
    """The principal and its session version for ``key``, looked up at most every few seconds
    (``fresh``: look up now)."""
    hit = _cache.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < CACHE_SECONDS and not fresh:
        return hit[1], hit[2]
    forgets = _forgets
    user = await load()  # type: ignore[misc]
    principal = None if user is None else Principal(user.username, user.role, user.unit, "token" if key[0] == "t" else "session")
    version = 0 if user is None else int(user.session_version)
    if forgets == _forgets:  # else a change landed while this was read: it may be stale, keep it out
        _cache[key] = (now, principal, version)
    if len(_cache) > 10_000:
        _cache.clear()
    return principal, version


def _session_fresh(session: dict[str, object], version: int) -> bool:
    issued, held = session.get("iat"), session.get("ver")
    if not isinstance(issued, int) or not isinstance(held, int) or held != version:
        return False
    return 0 <= time.time() - issued < SESSION_SECONDS


def forget_cached(username: str | None = None, *, tokens: bool = True) -> None:
    """Drop cached lookups after a change made in this process: every one (no ``username``),
    or each that could still let ``username`` in as it was: the lookup of their sessions and,
    with ``tokens``, of each of their tokens (a change of role, unit, password or activity
    reaches them too). Lookups of other users stay: their entries were read from rows this
    change did not touch."""
    global _forgets  # noqa: PLW0603
    _forgets += 1
    if username is None:
        _cache.clear()
        return
    _cache.pop("s" + username, None)
    if tokens:
        for key in [k for k, (_, who, _) in _cache.items()
                    if k[0] == "t" and who is not None and who.username == username]:
            del _cache[key]


class AuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: AppConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise NotAuthorizedException("send the API token as 'Authorization: Bearer <token>'")
            token = token.strip()
            principal, _ = await _cached("t" + users.token_digest(token), lambda: users.by_token(token))
            if principal is None:
                raise NotAuthorizedException(
                    "this token is unknown or revoked; create one with `duban users token NAME` "
                    "or POST /api/tokens while signed in")
            return AuthenticationResult(user=principal, auth=token)
        held = connection.scope.get("session")
        session: dict[str, Any] = held if isinstance(held, dict) else {}
        username = session.get("user")
        if not username:
            return _anonymous(connection)
        principal, version = await _cached("s" + str(username), lambda: users.session_user(str(username)))
        if principal is not None and isinstance(session.get("ver"), int) and session["ver"] > version:
            # signed in after a bump this process has not seen yet (another process's logout)
            principal, version = await _cached("s" + str(username), lambda: users.session_user(str(username)),
                                               fresh=True)
        if principal is None or not _session_fresh(session, version):
            return _anonymous(connection)
        if (connection.scope.get("method", "GET") not in SAFE_METHODS
                and connection.scope["path"].startswith("/api/")):
            cookie = connection.cookies.get("csrftoken")
            sent = connection.headers.get("x-csrftoken")
            if not cookie or not sent or not secrets.compare_digest(cookie, sent):
                raise PermissionDeniedException(
                    "a change made with the session cookie must echo the csrftoken cookie in the "
                    "x-csrftoken header (scripts should use an API token instead)")
        return AuthenticationResult(user=principal, auth="session")


#: The API's writes open to the public (issue 13.2): filing a complaint and rating its answer.
#: They take JSON only (``api.controllers.complaints``), so a page of another site cannot make
#: a browser send them.
PUBLIC_WRITES = re.compile(r"^/api/complaints(?:/track/[^/]{1,64}/rating)?/?$")


def _anonymous(connection: AppConnection) -> AuthenticationResult:
    """Nobody signed in. A change to the API is refused here, before its body is read, so an
    anonymous caller learns nothing from validation details (only the demo receiver, which opts
    out of this middleware, and the public complaint writes take anonymous writes)."""
    if (connection.scope.get("method", "GET") not in SAFE_METHODS
            and connection.scope["path"].startswith("/api/")
            and not (connection.scope.get("method") == "POST" and PUBLIC_WRITES.match(connection.scope["path"]))):
        raise NotAuthorizedException("sign in first: send 'Authorization: Bearer <token>' or log in at /login "
                                     "(请先登录)")
    return AuthenticationResult(user=None, auth=None)


def principal(connection: AppConnection) -> Principal | None:
    return cast("Principal | None", connection.scope.get("user"))


# The guards are coroutine functions, though none waits for anything: Litestar runs a plain
# function guard in a worker thread (``sync_to_thread``), a thread hop (and, under load, a wait
# for the interpreter lock) per guard per request. ``tests/api/test_guards.py`` checks them all.


def _signed_in(connection: AppConnection) -> Principal:
    who = principal(connection)
    if who is None:
        raise NotAuthorizedException("sign in first: send 'Authorization: Bearer <token>' or log in at /login")
    return who


async def signed_in(connection: AppConnection, _: BaseRouteHandler) -> None:
    _signed_in(connection)


def roles(*allowed: str) -> Guard:
    """A guard letting only the named roles through (401 when anonymous, 403 otherwise)."""

    async def guard(connection: AppConnection, _: BaseRouteHandler) -> None:
        who = _signed_in(connection)
        if who.role not in allowed:
            raise PermissionDeniedException(
                f"a {who.role} user cannot do this; it needs the role {' or '.join(allowed)}")

    return guard


async def page_guard(connection: AppConnection, _: BaseRouteHandler) -> None:
    """For HTML pages: anonymous visitors go to the login page and come back afterwards."""
    if principal(connection) is None:
        raise LoginRedirectError(connection.scope["path"])


class LoginRedirectError(Exception):
    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(path)


def login_redirect(_: object, exc: LoginRedirectError) -> Redirect:
    return Redirect(path=f"/login?next={exc.path}")


def may_report(who: Principal, project_unit: str, milestone_unit: str | None) -> bool:
    """Whether ``who`` may report this milestone: the office any, an owner its unit's projects,
    a responsible unit the milestones it is responsible for."""
    if who.role == "office":
        return True
    if who.role == "owner":
        return who.unit == project_unit
    if who.role == "unit":
        return who.unit == (milestone_unit or project_unit)
    return False

