"""Users and API tokens: the only module that touches ``api_user`` / ``api_token``.

Passwords are argon2id hashes (argon2-cffi, slow and salted); a token is ``dub_`` + 32 random
bytes, shown once, stored as its sha256 digest. Roles: ``office`` (supervision office: rules,
notices, everything), ``leader`` (reads everything, changes nothing), ``owner`` (project owner:
reports its own unit's milestones), ``unit`` (responsible unit: its own notices and milestones).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import difflib
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from api.tables import TokenRow, UserRow
from api.values import ApiError

ROLES = ("office", "leader", "owner", "unit")
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
#: ``DUBAN_TEST_CHEAP_HASHES=1`` (set by the test suite, ``tests/conftest.py``): argon2id at its
#: smallest cost, so a test's four accounts take microseconds, not seconds. Hashes made so still
#: verify anywhere (argon2 stores its parameters in the hash) and production-cost hashes verify
#: here; ``duban serve`` refuses to listen beyond loopback with it set, so it never reaches
#: production.
CHEAP_HASHES_VARIABLE = "DUBAN_TEST_CHEAP_HASHES"


def cheap_hashes() -> bool:
    return os.environ.get(CHEAP_HASHES_VARIABLE, "0").lower() in {"1", "true", "yes"}


#: The argon2id cost of a stored password: OWASP's Password Storage Cheat Sheet
#: (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id)
#: lists five settings that "provide an equal level of defense", trading memory for passes:
#: m=47104 (46 MiB) t=1, m=19456 (19 MiB) t=2, m=12288 t=3, m=9216 t=4, m=7168 t=5, all p=1. We
#: take m=19456, t=2, p=1: on this 2-core machine a check takes about 80 ms against 165 ms for
#: the 46 MiB setting and 540 ms for argon2-cffi's default (RFC 9106's m=64 MiB, t=3, p=4, what
#: duban hashed with before), and a burst of sign-ins holds 19 MiB per hashing thread, not 64.
#: A stored hash of any other cost is hashed again at this one when its owner next signs in
#: (:func:`upgrade_hash`).
_hasher = (PasswordHasher(time_cost=1, memory_cost=8, parallelism=1) if cheap_hashes()
           else PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1))
#: argon2 is slow on purpose (tens of ms of CPU and 19 MiB each): it runs on these threads, at
#: most two at a time, never on the event loop, so a burst of logins queues here while every
#: other request is served.
HASH_THREADS = 2
_hash_pool = concurrent.futures.ThreadPoolExecutor(HASH_THREADS, thread_name_prefix="duban-argon2")
#: Passwords everyone tries first (lower-cased); the rule also refuses blank and repetitive ones.
COMMON_PASSWORDS = frozenset({
    "password", "password1", "password12", "password123", "passw0rd", "p@ssw0rd", "12345678",
    "123456789", "1234567890", "87654321", "11111111", "00000000", "88888888", "66666666",
    "12341234", "abcd1234", "1234abcd", "abc12345", "qwertyui", "qwerty123", "qwertyuiop",
    "1qaz2wsx", "zaq12wsx", "asdfghjk", "zxcvbnm1", "iloveyou", "admin123", "administrator",
    "woaini1314", "letmein1", "welcome1", "changeme", "sunshine", "princess", "football",
    "baseball", "superman", "trustno1", "aa123456", "a1234567", "duban123", "duban-duban",
})


class UserError(ApiError, ValueError):
    """A user account value refused: which field, and what would be right."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}", where=where)


class UserNotFoundError(ApiError, LookupError):
    """No user with this name; ``suggestions`` are the nearest names."""

    def __init__(self, username: str, suggestions: tuple[str, ...] = ()) -> None:
        hint = f"; did you mean {', '.join(map(repr, suggestions))}?" if suggestions else ""
        super().__init__(f"no user {username!r}{hint}", suggestions=suggestions)


@dataclass(frozen=True, slots=True)
class User:
    username: str
    display: str
    role: str
    unit: str | None
    active: bool
    created_at: str
    session_version: int = 0

    def public(self) -> dict[str, Any]:
        """What the audit trail records about a user (never the hash)."""
        return {"username": self.username, "display": self.display, "role": self.role,
                "unit": self.unit, "active": self.active}


def _user(r: dict[str, Any]) -> User:
    return User(r["username"], r["display"], r["role"], r["unit"], bool(r["active"]), r["created_at"],
                int(r.get("session_version") or 0))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return bool(stored) and _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` (a hash that just verified) was made at another cost than today's."""
    try:
        return _hasher.check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return False


async def _off_loop(fn: object, *args: str) -> object:
    return await asyncio.get_running_loop().run_in_executor(_hash_pool, fn, *args)  # type: ignore[arg-type]


async def hash_password_async(password: str) -> str:
    """:func:`hash_password` on the hashing threads (the event loop keeps serving meanwhile)."""
    return str(await _off_loop(hash_password, password))


async def check_password_async(stored: str, password: str) -> bool:
    return bool(await _off_loop(check_password, stored, password))


def password_problem(password: str, username: str = "") -> str | None:
    """What is wrong with ``password`` as a password (zh-CN, then English), or ``None``."""
    if len(password) < 8:
        return "太短：至少 8 个字符 — too short: use at least 8 characters"
    if len(password) > 1024:
        return "太长：最多 1024 个字符 — too long: use at most 1024 characters"
    if not password.strip():
        return "不能全是空格 — a password of spaces only is refused"
    if len(set(password)) < 4:
        return "字符重复太多：至少用 4 个不同的字符 — too repetitive: use at least 4 different characters"
    lowered = password.strip().lower()
    if lowered in COMMON_PASSWORDS or (username and lowered == username.lower()):
        return ("这是人人先试的常见密码（或与用户名相同），请换一个 — a password everyone tries first "
                "(or the username itself) is refused; choose another")
    return None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def validate(username: str, role: str, unit: str | None, password: str | None, units: set[str]) -> None:
    if not _NAME.match(username):
        raise UserError("username", f"{username!r}: use 2-64 letters, digits or _ . @ -")
    if role not in ROLES:
        near = difflib.get_close_matches(role, ROLES, n=1)
        raise UserError("role", f"{role!r} is not a role; the roles are {', '.join(ROLES)}"
                        + (f"; did you mean {near[0]!r}?" if near else ""))
    if role in {"owner", "unit"} and not unit:
        raise UserError("unit", f"a {role} user belongs to a unit; give its unit id")
    if unit is not None and unit not in units:
        near = difflib.get_close_matches(unit, sorted(units), n=3)
        raise UserError("unit", f"no unit {unit!r}" + (f"; did you mean {', '.join(map(repr, near))}?" if near else ""))
    if password is not None and (problem := password_problem(password, username)) is not None:
        raise UserError("password", problem)


async def get(username: str) -> User:
    row = await UserRow.select().where(UserRow.username == username).first()
    if row is None:
        names = [r["username"] for r in await UserRow.select(UserRow.username)]
        raise UserNotFoundError(username, tuple(difflib.get_close_matches(username, names, n=3)))
    return _user(row)


async def find(username: str) -> User | None:
    row = await UserRow.select().where(UserRow.username == username).first()
    return None if row is None else _user(row)


async def session_user(username: str) -> User | None:
    """The user a session cookie names, if it may still sign in: it exists and is active."""
    user = await find(username)
    return user if user is not None and user.active else None


async def end_sessions(username: str) -> None:
    """Every session of ``username`` stops signing in (logout; call in a write transaction)."""
    await UserRow.update({UserRow.session_version: UserRow.session_version + 1}).where(
        UserRow.username == username)


async def list_users() -> list[User]:
    return [_user(r) for r in await UserRow.select().order_by(UserRow.username)]


async def count() -> int:
    return int(await UserRow.count())


async def create(username: str, *, role: str, unit: str | None, password: str, display: str,
                 units: set[str]) -> User:
    validate(username, role, unit, password, units)
    if await UserRow.exists().where(UserRow.username == username):
        raise UserError("username", f"{username!r} is taken; choose another name")
    await UserRow.insert(UserRow(username=username, display=display or username, role=role, unit=unit,
                                 password_hash=await hash_password_async(password), active=True,
                                 created_at=dt.datetime.now(dt.UTC).isoformat()))
    return await get(username)


async def update(username: str, *, role: str | None = None, unit: str | None = None,
                 password: str | None = None, active: bool | None = None, display: str | None = None,
                 units: set[str]) -> User:
    old = await get(username)
    new_role = role or old.role
    new_unit = unit if unit is not None else old.unit
    validate(username, new_role, new_unit, password, units)
    values: dict[Any, Any] = {UserRow.role: new_role, UserRow.unit: new_unit}
    if password is not None:
        values[UserRow.password_hash] = await hash_password_async(password)
    if active is not None:
        values[UserRow.active] = active
    if display is not None:
        values[UserRow.display] = display
    await UserRow.update(values).where(UserRow.username == username)
    if active is False or password is not None:
        await TokenRow.update({TokenRow.revoked: True}).where(TokenRow.username == username)
        await end_sessions(username)
    return await get(username)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who signed in, and their password hashed anew at today's cost when the stored hash is of
    another (``rehashed``; the stored hash it replaces in ``stale``), for :func:`upgrade_hash`
    to write. Neither hash is ever shown, logged or audited."""
    user: User
    stale: str | None = None
    rehashed: str | None = None

    def __repr__(self) -> str:  # no hash in a traceback or a log line
        return f"SignedIn({self.user.username!r}, rehash={self.rehashed is not None})"


async def authenticate(username: str, password: str, *, rehash: bool = True) -> SignedIn | None:
    """The user whose name and password these are (and active), or None. With ``rehash``, a
    stored hash of another cost than today's comes back hashed anew, done on the hashing
    threads here, before the caller takes the write lock to store it."""
    row = await UserRow.select().where(UserRow.username == username).first()
    if row is None:
        await hash_password_async(password)  # same work either way, so timing does not tell names apart
        return None
    stored = row["password_hash"]
    if not await check_password_async(stored, password) or not row["active"]:
        return None
    if rehash and needs_rehash(stored):
        return SignedIn(_user(row), stored, await hash_password_async(password))
    return SignedIn(_user(row))


async def upgrade_hash(signed_in: SignedIn) -> bool:
    """Store the hash made anew at sign-in (in a write transaction), only over the very hash
    it replaces: a password changed meanwhile is kept. Tokens and sessions are unchanged (the
    password is the same). Whether it was written."""
    if signed_in.rehashed is None or signed_in.stale is None:
        return False
    done = await UserRow.update({UserRow.password_hash: signed_in.rehashed}).where(
        (UserRow.username == signed_in.user.username) & (UserRow.password_hash == signed_in.stale)
    ).returning(UserRow.username)
    return bool(done)


async def issue_token(username: str, name: str) -> str:
    """A new token for the user, returned once in clear; only its digest is stored."""
    await get(username)
    token = "dub_" + secrets.token_urlsafe(32)
    await TokenRow.insert(TokenRow(username=username, name=name, token_hash=token_digest(token),
                                   created_at=dt.datetime.now(dt.UTC).isoformat()))
    return token


async def by_token(token: str) -> User | None:
    row = await TokenRow.select(TokenRow.username).where(
        (TokenRow.token_hash == token_digest(token)) & (TokenRow.revoked == False)  # noqa: E712
    ).first()
    if row is None:
        return None
    user = await find(row["username"])
    return user if user is not None and user.active else None
