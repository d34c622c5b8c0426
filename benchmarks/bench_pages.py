"""Light pages: the first dashboard in the browser after sign-in, the app as it is against a
baseline measured in the same run.

Real ``duban serve`` processes with the demo (each in its own directory), taking turns visit by
visit so a busy machine weighs on each alike:

- ``before``: this tree with what the app did before issue 16.5: the full 4.8 MB
  ``plotly.min.js`` (gzipped, as it was sent), argon2-cffi's default cost (m=64 MiB, t=3, p=4)
  for the demo accounts' hashes, and a login page that fetches nothing ahead;
- ``now``: this tree as it is;
- ``tree`` (with ``--tree DIR``): another checkout run as it is, e.g. main before a change
  (``git worktree add /tmp/main-before main``).

Headless Chromium (zh-CN, ``tests.browser``) at 1920x1080. A **cold** visit is a fresh profile
(nothing cached): open /login, sign in as the leader, wait for the dashboard's first chart and
for every chart. A **warm** visit is the same profile signing out and in again (its cache
kept). The login page is left to settle before the name and password are typed (a person
types for longer). Printed per network and visit kind (medians): bytes over the wire from
opening /login to the last chart (every response's encoded size with its headers, as
Chromium's DevTools protocol counts them: ``Network.loadingFinished``'s ``encodedDataLength``);
the time from pressing 登录 to the first chart drawn and to every chart drawn, by the
dashboard's own clock (``performance.now()`` from the navigation's start, which is the sign-in
POST), with where it went: the sign-in POST and its redirect, the dashboard's document, when
plotly.js had run, and when Playwright noticed the first chart (its polling and the
busy page's event loop added); and each server's figures as a ratio to ``now``. Networks: loopback, and a county office's 10 Mbit/s line with 40 ms latency
(Chromium's own network emulation).

    source scripts/services   # Chromium
    .venv/bin/python benchmarks/bench_pages.py [--runs 5] [--tree /tmp/main-before]

With ``--docs``: the API docs (no sign-in, an empty server), ``before`` being this tree with
Litestar's own Redoc page at /schema (the OpenAPI document built on the first request and
inlined, encoded again and uncompressed on every visit, ``no-store``, Redoc's script blocking
the head), ``redoc`` the app's Redoc view at /schema/redoc (page and document built once,
gzipped, ETag; the page paints at once and fetches the document while Redoc's script loads
``defer``) and ``now`` the reference at /schema (the document written out as plain HTML, built
once, gzipped, ETag, no script). Per visit, by the page's own clock from the navigation's
start: the first contentful paint, the document in hand (``before`` and ``now``: the page
itself, which holds it; ``redoc``: ``/schema/openapi.json``'s response end), every operation
drawn (Redoc: a MutationObserver sees the last group's heading; the reference: its last
section parsed, at DOMContentLoaded), the bytes over the wire, and the main thread's CPU (Chromium's ``ThreadTime``
metric in thread ticks, which a busy machine inflates less than the wall clock); cold (a fresh
profile) and warm (the same profile again: the document revalidated, 304). Each figure of
``before`` as a ratio to ``now``.

    .venv/bin/python benchmarks/bench_pages.py --docs [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser import context_options, launch_options  # noqa: E402
from tests.e2e.conftest import free_port  # noqa: E402

NETWORKS: dict[str, dict[str, Any] | None] = {
    "loopback": None,
    "10 Mbit/s, 40 ms": {"offline": False, "latency": 40, "downloadThroughput": 10e6 / 8,
                         "uploadThroughput": 5e6 / 8},
}
#: every figure of the page drawn
DRAWN = """() => { const want = document.querySelectorAll('script.figure').length;
    return want > 0 && document.querySelectorAll('[data-drawn="1"]').length === want; }"""
#: In every document: when plotly.js finished running, the first figure was drawn and the last
#: (``performance.now()``: ms since the navigation began, for the dashboard the press of 登录,
#: whose POST and redirect are the navigation's first part).
WATCH = """(() => {
  const at = window.__duban = {};
  Object.defineProperty(window, 'Plotly', {configurable: true, set(v) {
    at.plotly = performance.now();
    Object.defineProperty(window, 'Plotly', {value: v, writable: true, configurable: true}); }});
  new MutationObserver(() => {
    const drawn = document.querySelectorAll('[data-drawn="1"]').length;
    if (drawn > 0 && at.first === undefined) { at.first = performance.now(); }
    if (drawn > 0 && drawn === document.querySelectorAll('script.figure').length && at.every === undefined) {
      at.every = performance.now(); }
  }).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-drawn']});
})()"""
#: the dashboard's figures, as that page's own clock saw them (ms from pressing 登录)
TIMES = """() => { const n = performance.getEntriesByType('navigation')[0];
  return {signin: n.redirectEnd - n.redirectStart, page: n.responseEnd - n.redirectEnd,
          plotly: window.__duban.plotly, first: window.__duban.first, every: window.__duban.every}; }"""


def serve(variant: str, port: int) -> int:
    """This process becomes ``duban serve``, as ``before``, ``docs-before`` or ``now``."""
    from api import cli  # noqa: PLC0415

    if variant == "docs-before":  # Litestar's own Redoc page, as the app drew /schema before
        from litestar.openapi.plugins import RedocRenderPlugin  # noqa: PLC0415

        from api import app  # noqa: PLC0415
        from api.web.static import asset_urls  # noqa: PLC0415

        app._api_docs = lambda: RedocRenderPlugin(  # type: ignore[assignment]
            js_url=asset_urls()["redoc"], google_fonts=False, path="/", favicon='<link rel="icon" href="data:,">')
    if variant == "before":
        from argon2 import PasswordHasher  # noqa: PLC0415

        from api import users  # noqa: PLC0415
        from api.controllers import people  # noqa: PLC0415
        from api.web import static  # noqa: PLC0415
        from dashboards.embed import Bundle, full_plotly_js_path, plotly_js_version  # noqa: PLC0415

        body = full_plotly_js_path().read_bytes()
        gz = Path.cwd() / "plotly.min.js.gz"
        gz.write_bytes(gzip.compress(body, 6, mtime=0))
        full = Bundle(url_name=f"plotly-{plotly_js_version()}.min.js", version=plotly_js_version(),
                      path=full_plotly_js_path(), traces=frozenset(), compressed={"gzip": gz})
        static.plotly_bundle = lambda: full  # type: ignore[assignment]
        users._hasher = PasswordHasher()  # argon2-cffi's defaults, the cost before
        people._prefetch = lambda: ""  # the login page fetched nothing ahead
    return cli.main(["serve", "--port", str(port)])


def start(variant: str, workdir: Path, tree: Path | None, demo: str = "1") -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    env = {**os.environ, "DUBAN_DEMO": demo, "DUBAN_TODAY": "2026-05-06",
           "PYTHONPATH": str(tree or ROOT)}
    env.pop("DUBAN_DATABASE_URL", None)
    env.pop("DUBAN_TEST_CHEAP_HASHES", None)
    if tree is None:
        command = [sys.executable, str(Path(__file__).resolve()), "--serve", variant, "--port", str(port)]
    else:
        command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port)]
    log = (workdir / "serve.log").open("wb")
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the {variant} server exited:\n{(workdir / 'serve.log').read_text()}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return url, process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    sys.exit(f"the {variant} server did not answer within 180 s")


@dataclass
class Visit:
    sent: int  # bytes over the wire, headers included
    responses: int
    first: float  # s from pressing 登录 to the first chart drawn (the page's clock)
    every: float  # ... to every chart drawn
    signin: float  # s of the sign-in POST and its redirect
    page: float  # s from the redirect to the dashboard's document received
    plotly: float  # s from pressing 登录 to plotly.js having run
    seen: float  # s from pressing 登录 to Playwright seeing the first chart (its polling included)


class Browser:
    """One profile on one server: its page, and the bytes its DevTools session counted."""

    def __init__(self, browser: Any, url: str, network: dict[str, Any] | None) -> None:
        self.url = url
        self.context = browser.new_context(**context_options(1920, 1080))
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        cdp = self.context.new_cdp_session(self.page)
        self.sizes: dict[str, float] = {}
        cdp.on("Network.loadingFinished", lambda e: self.sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
        cdp.send("Network.enable")
        if network is not None:
            cdp.send("Network.emulateNetworkConditions", network)

    def sign_in(self) -> Visit:
        self.sizes.clear()
        self.page.goto(f"{self.url}/login")
        # a person takes longer to type a name and password than the login page takes to
        # settle (and to fetch whatever it asks for ahead of the dashboard)
        self.page.wait_for_load_state("networkidle")
        self.page.fill("input[name=username]", "leader")
        self.page.fill("input[name=password]", "duban-leader")
        t0 = time.perf_counter()
        self.page.click("button[type=submit]")
        self.page.wait_for_selector("[data-drawn='1']", timeout=120_000)
        seen = time.perf_counter() - t0
        self.page.wait_for_function(DRAWN, timeout=120_000, polling=10)
        assert self.page.url.endswith("/dashboard"), self.page.url
        self.page.wait_for_timeout(50)  # the last loadingFinished events
        t = {k: v / 1000 for k, v in self.page.evaluate(TIMES).items()}
        return Visit(int(sum(self.sizes.values())), len(self.sizes), t["first"], t["every"], t["signin"],
                     t["page"], t["plotly"], seen)

    def sign_out(self) -> None:
        self.page.click("form[action='/logout'] button")
        self.page.wait_for_url("**/login")

    def close(self) -> None:
        self.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="visits of each kind per server and network")
    parser.add_argument("--tree", type=Path, help="another checkout to run as a third server")
    parser.add_argument("--docs", action="store_true", help="the API docs at /schema instead of the dashboard")
    parser.add_argument("--serve", choices=("before", "docs-before", "now"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        sys.exit(serve(args.serve, args.port))
    if args.docs:
        docs_main(args.runs)
        return

    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    variants: list[tuple[str, Path | None]] = [("before", None), ("now", None)]
    if args.tree:
        variants.append(("tree", args.tree.resolve()))
    with tempfile.TemporaryDirectory() as tmp:
        servers: dict[str, tuple[str, subprocess.Popen[bytes]]] = {}
        try:
            for name, tree in variants:
                (Path(tmp) / name).mkdir()
                servers[name] = start(name, Path(tmp) / name, tree)
            with sync_playwright() as p:
                browser = p.chromium.launch(**launch_options())
                for url, _ in servers.values():  # warm the servers' own caches
                    b = Browser(browser, url, None)
                    b.sign_in()
                    b.close()
                print(f"first dashboard after sign-in as the leader, 1920x1080, median of {args.runs} "
                      f"(servers taking turns); cold: a fresh profile, warm: the same profile signing in again")
                for net, network in NETWORKS.items():
                    got: dict[tuple[str, str], list[Visit]] = {}
                    for _ in range(args.runs):
                        for name, (url, _) in servers.items():
                            b = Browser(browser, url, network)
                            got.setdefault((name, "cold"), []).append(b.sign_in())
                            b.sign_out()
                            got.setdefault((name, "warm"), []).append(b.sign_in())
                            b.close()
                    print(f"  {net}:")
                    for kind in ("cold", "warm"):
                        med = {name: {f: statistics.median(getattr(v, f) for v in got[name, kind])
                                      for f in Visit.__dataclass_fields__} for name in servers}
                        now = med["now"]
                        for name, m in med.items():
                            ratio = "" if name == "now" else (
                                f"  {name}/now: bytes {m['sent'] / now['sent']:.2f}x, first chart "
                                f"{m['first'] / now['first']:.2f}x, all {m['every'] / now['every']:.2f}x")
                            print(f"    {kind} {name:<6} {m['sent'] / 1e6:6.3f} MB {m['responses']:2.0f} resp  "
                                  f"first chart {m['first']:5.2f} s  all {m['every']:5.2f} s  "
                                  f"(sign-in {m['signin']:4.2f}, page {m['page']:4.2f}, plotly ran at "
                                  f"{m['plotly']:4.2f}; seen by Playwright {m['seen']:4.2f}){ratio}")
                browser.close()
        finally:
            for _, process in servers.values():
                process.terminate()
                process.wait(timeout=30)


#: In the docs page: when Redoc had drawn every operation (the last group's heading is in the
#: document), by the page's clock.
DOCS_WATCH = """(() => {
  const at = window.__docs = {};
  new MutationObserver(() => {
    if (at.drawn === undefined && document.querySelector('[data-section-id*="operation/"]')
        && [...document.querySelectorAll('h2')].some(h => h.textContent.includes('List projects'))) {
      at.drawn = performance.now(); }
  }).observe(document, {childList: true, subtree: true});
  document.addEventListener('DOMContentLoaded', () => {  // the reference: whole once parsed
    if (at.drawn === undefined && document.getElementById('schemas')) { at.drawn = performance.now(); } });
})()"""
DOCS_TIMES = """() => { const n = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const doc = performance.getEntriesByType('resource').find(r => r.name.endsWith('/schema/openapi.json'));
  return {paint: fcp ? fcp.startTime : NaN, document: doc ? doc.responseEnd : n.responseEnd,
          drawn: window.__docs.drawn}; }"""


@dataclass
class DocsVisit:
    sent: int  # bytes over the wire, headers included
    paint: float  # s from the navigation's start to the first contentful paint
    document: float  # ... to the OpenAPI document in hand
    drawn: float  # ... to every operation drawn
    cpu: float  # s of the page's main thread (ThreadTime)


def docs_visit(context: Any, url: str, sizes: dict[str, float]) -> DocsVisit:
    """One visit of ``url`` (a docs page) in ``context``."""
    from api.app import API_TITLE  # noqa: PLC0415

    page = context.pages[0] if context.pages else context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.send("Network.enable")
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
    sizes.clear()
    page.goto(url)
    page.wait_for_function("() => window.__docs && window.__docs.drawn !== undefined", timeout=180_000, polling=50)
    assert page.title() == API_TITLE, page.title()
    page.wait_for_timeout(50)
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    t = {k: v / 1000 for k, v in page.evaluate(DOCS_TIMES).items()}
    cdp.detach()
    return DocsVisit(int(sum(sizes.values())), t["paint"], t["document"], t["drawn"], metrics["ThreadTime"])


def docs_main(runs: int) -> None:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        servers: dict[str, tuple[str, subprocess.Popen[bytes]]] = {}
        try:
            for name, variant in (("before", "docs-before"), ("now", "now")):
                (Path(tmp) / name).mkdir()
                servers[name] = start(variant, Path(tmp) / name, None, demo="0")
            first = {}
            for name, (url, _) in servers.items():  # the first request builds the document
                t0 = time.perf_counter()
                httpx.get(f"{url}/schema", timeout=120).raise_for_status()
                first[name] = time.perf_counter() - t0
            print(f"API docs /schema at 1366x768, median of {runs} (servers taking turns); cold: a fresh "
                  "profile, warm: the same profile again")
            print("  first request to each server (the document built): " + ", ".join(
                f"{n} {v:.2f} s" for n, v in first.items()) + f"  before/now {first['before'] / first['now']:.2f}x")
            pages = {"before": f"{servers['before'][0]}/schema", "redoc": f"{servers['now'][0]}/schema/redoc",
                     "now": f"{servers['now'][0]}/schema"}
            with sync_playwright() as p:
                browser = p.chromium.launch(**launch_options())
                got: dict[tuple[str, str], list[DocsVisit]] = {}
                for _ in range(runs):
                    for name, url in pages.items():
                        context = browser.new_context(**context_options(1366, 768))
                        context.add_init_script(DOCS_WATCH)
                        sizes: dict[str, float] = {}
                        got.setdefault((name, "cold"), []).append(docs_visit(context, url, sizes))
                        got.setdefault((name, "warm"), []).append(docs_visit(context, url, sizes))
                        context.close()
                browser.close()
            for kind in ("cold", "warm"):
                med = {name: {f: statistics.median(getattr(v, f) for v in got[name, kind])
                              for f in DocsVisit.__dataclass_fields__} for name in pages}
                now = med["now"]
                for name, m in med.items():
                    ratio = "" if name == "now" else f"  {name}/now: " + ", ".join(
                        f"{f} {m[f] / now[f]:.2f}x" for f in DocsVisit.__dataclass_fields__)
                    print(f"  {kind} {name:<6} {m['sent'] / 1e3:7.1f} kB  paint {m['paint']:5.2f} s  document "
                          f"{m['document']:5.2f} s  drawn {m['drawn']:5.2f} s  main-thread CPU {m['cpu']:4.2f} s{ratio}")
        finally:
            for _, process in servers.values():
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
