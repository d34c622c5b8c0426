"""Behind a reverse proxy (issue 15.12): the public scheme keeps cookies Secure, and only a
trusted proxy's X-Forwarded-For decides the address the login throttle counts."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.commands.server import plain_http_cookies
from api.proxies import client_address
from api.settings import Settings, SettingsError
from tests.api.conftest import PASSWORD, seed

PROXY = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/24"))


@pytest.mark.parametrize(("peer", "header", "expected"), [
    ("192.0.2.9", ["198.51.100.7"], "192.0.2.9"),  # an untrusted peer's header is ignored
    ("127.0.0.1", ["198.51.100.7"], "198.51.100.7"),  # the proxy's word for its client
    ("127.0.0.1", ["203.0.113.1, 198.51.100.7"], "198.51.100.7"),  # what the client wrote is further left
    ("127.0.0.1", ["198.51.100.7, 10.0.0.4"], "198.51.100.7"),  # two trusted hops
    ("127.0.0.1", ["203.0.113.1", "198.51.100.7"], "198.51.100.7"),  # two header lines, in order
    ("127.0.0.1", [], "127.0.0.1"),  # no header: the proxy itself
    ("127.0.0.1", ["198.51.100.7, not-an-address"], "127.0.0.1"),  # garbage ends the walk at the proxy
    ("127.0.0.1", ["[2001:db8::7]:4711"], "2001:db8::7"),
    ("127.0.0.1", ["198.51.100.7:4711"], "198.51.100.7"),
])
def test_the_client_address_is_the_nearest_untrusted_hop(peer: str, header: list[str], expected: str) -> None:
    """X-Forwarded-For is read from the right, from a trusted proxy only."""
    assert client_address(peer, header, PROXY) == expected


def test_no_trusted_proxy_means_the_header_is_never_read() -> None:
    """With no proxies configured even a loopback peer's X-Forwarded-For is ignored."""
    assert client_address("127.0.0.1", ["198.51.100.7"], ()) == "127.0.0.1"


def test_settings_read_the_public_url_and_the_proxies(tmp_path: Path) -> None:
    """An https public URL keeps cookies Secure; bad values are refused naming the variable, zh first."""
    base = {"DUBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'd.sqlite'}"}
    s = Settings.from_env({**base, "DUBAN_PUBLIC_URL": "https://duban.example/", "DUBAN_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/24"})
    assert s.cookie_secure and s.public_url == "https://duban.example" and s.trusted_proxies == PROXY
    assert not Settings.from_env({**base, "DUBAN_PUBLIC_URL": "http://duban.example"}).cookie_secure
    assert Settings.from_env(base).trusted_proxies == ()
    for env, variable in (({"DUBAN_PUBLIC_URL": "duban.example"}, "DUBAN_PUBLIC_URL"),
                          ({"DUBAN_TRUSTED_PROXIES": "127.0.0.1, proxy.example"}, "DUBAN_TRUSTED_PROXIES"),
                          ({"DUBAN_PUBLIC_URL": "https://duban.example", "DUBAN_COOKIE_SECURE": "0"},
                           "DUBAN_COOKIE_SECURE")):
        with pytest.raises(SettingsError) as err:
            Settings.from_env({**base, **env})
        assert err.value.variable == variable
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value).split("—")[0])


def test_serve_drops_secure_only_on_plain_loopback() -> None:
    """`duban serve` on loopback drops Secure only when no public URL says the site is https."""
    assert plain_http_cookies({}, "127.0.0.1")
    assert not plain_http_cookies({"DUBAN_PUBLIC_URL": "https://duban.example"}, "127.0.0.1")
    assert not plain_http_cookies({}, "0.0.0.0")
    assert not plain_http_cookies({"DUBAN_COOKIE_SECURE": "1"}, "127.0.0.1")


async def test_behind_an_https_proxy_the_cookies_are_secure(tmp_path: Path) -> None:
    """With DUBAN_PUBLIC_URL=https://..., the CSRF and session cookies the server sets carry Secure."""
    settings = Settings.from_env({"DUBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'duban.sqlite'}",
                                  "DUBAN_SECRET_KEY": "k" * 40, "DUBAN_PUBLIC_URL": "https://duban.example",
                                  "DUBAN_TODAY": "2026-05-06"})
    async with _client(settings) as client:
        page = await client.get("/login")
        assert "secure" in page.headers["set-cookie"].lower()
        r = await client.post("/login", data={"username": "office", "password": PASSWORD, "next": "/",
                                              "_csrf_token": client.cookies["csrftoken"]})
        assert r.status_code == 303
        session = [c for c in r.headers.get_list("set-cookie") if c.startswith("duban_session")]
        assert session and all("secure" in c.lower() for c in session)


class _Clients:
    def __init__(self, app: object) -> None:
        self.app = app
        self.open: list[httpx.AsyncClient] = []

    def at(self, peer: str) -> httpx.AsyncClient:
        """A client whose connection comes from ``peer``."""
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app, client=(peer, 40000)),  # type: ignore[arg-type]
                                   base_url="https://testserver")  # the proxy's scheme: Secure cookies go back
        self.open.append(client)
        return client


class _client:
    """The app for ``settings`` started, seeded with a user per role; yields a loopback client."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def __aenter__(self) -> httpx.AsyncClient:
        self.app = create_app(self.settings)
        for hook in self.app.on_startup:
            await hook(self.app)
        await seed(self.app.state.server)
        self.clients = _Clients(self.app)
        return self.clients.at("127.0.0.1")

    async def __aexit__(self, *_: object) -> None:
        for c in self.clients.open:
            await c.aclose()
        for hook in self.app.on_shutdown:
            await hook(self.app)


@pytest.fixture
async def proxied(settings: Settings) -> AsyncIterator[_Clients]:
    """The app trusting the proxies 127.0.0.1 and 10.0.0.0/24, with a user per role."""
    ctx = _client(replace(settings, trusted_proxies=PROXY))
    await ctx.__aenter__()
    try:
        yield ctx.clients
    finally:
        await ctx.__aexit__()


async def _login(client: httpx.AsyncClient, username: str, password: str, forwarded: str | None = None) -> int:
    if client.cookies.get("csrftoken") is None:
        await client.get("/login")
    headers = {} if forwarded is None else {"x-forwarded-for": forwarded}
    r = await client.post("/login", data={"username": username, "password": password, "next": "/",
                                          "_csrf_token": client.cookies["csrftoken"]}, headers=headers)
    return r.status_code


async def test_the_throttle_counts_the_client_behind_a_trusted_proxy(proxied: _Clients) -> None:
    """Twenty wrong logins from one client behind the proxy lock that client only: another client of
    the same proxy still signs in, and a client rotating what it writes into the header stays locked."""
    proxy = proxied.at("127.0.0.1")
    for i in range(20):  # many names: the per-account bound stays out of it
        # the attacker writes a new address into the header each time; the proxy appends the real one
        assert await _login(proxy, f"nobody{i}", "wrong password", f"203.0.113.{i}, 198.51.100.7") == 401
    assert await _login(proxy, "office", PASSWORD, "198.51.100.7") == 429
    assert await _login(proxy, "office", PASSWORD, "203.0.113.99, 198.51.100.7") == 429
    assert await _login(proxied.at("127.0.0.1"), "office", PASSWORD, "198.51.100.8") == 303


async def test_an_untrusted_peer_cannot_choose_the_address_it_is_counted_under(proxied: _Clients) -> None:
    """A client connecting directly that rotates X-Forwarded-For is counted by its own address."""
    direct = proxied.at("192.0.2.9")
    for i in range(20):
        assert await _login(direct, f"nobody{i}", "wrong password", f"198.51.100.{i}") == 401
    assert await _login(direct, "office", PASSWORD, "198.51.100.200") == 429
    # the addresses it named are not locked: nobody behind the proxy pays for its tries
    assert await _login(proxied.at("127.0.0.1"), "office", PASSWORD, "198.51.100.3") == 303
