"""Light pages: the first dashboard in a fresh browser after sign-in, with the partial plotly.js
bundle the app serves against the full 4.8 MB bundle it served before, measured in the same run.

Two real ``duban serve`` processes with the demo (each in its own directory), identical but for
the bundle: this script started as ``--serve full`` swaps in the full ``plotly.min.js`` with a
gzip copy (what the app sent before), ``--serve partial`` runs the app as it is. Headless
Chromium (zh-CN, ``tests.browser``), a fresh profile per visit (a first visit: nothing cached),
signs in as the leader and waits for the dashboard's first chart and for all of them. The two
servers take turns, visit by visit, so a busy machine weighs on both alike. Printed per network:
bytes over the wire for the dashboard (its document and everything it loads, headers included),
time from pressing 登录 to the first chart drawn and to every chart drawn, medians, and each
as a ratio full / partial. Networks: loopback, and a county office's 10 Mbit/s line with 40 ms
latency (Chromium's own network emulation).

    source scripts/services   # Chromium
    .venv/bin/python benchmarks/bench_pages.py [--runs 5]
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
#: every figure of the page drawn, and the bytes the dashboard document and its resources took
DRAWN = """() => { const want = document.querySelectorAll('script.figure').length;
    return want > 0 && document.querySelectorAll('[data-drawn="1"]').length === want; }"""
BYTES = """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
    .reduce((n, e) => n + e.transferSize, 0)"""


def serve(bundle: str, port: int) -> int:
    """This process becomes ``duban serve`` with the ``full`` or the ``partial`` bundle."""
    from api import cli  # noqa: PLC0415
    from api.web import static  # noqa: PLC0415
    from dashboards.embed import Bundle, full_plotly_js_path, plotly_bundle, plotly_js_version  # noqa: PLC0415

    if bundle == "full":
        body = full_plotly_js_path().read_bytes()
        gz = Path.cwd() / "plotly.min.js.gz"
        gz.write_bytes(gzip.compress(body, 6, mtime=0))
        full = Bundle(name="plotly", version=plotly_js_version(), path=full_plotly_js_path(),
                      traces=frozenset(), compressed={"gzip": gz})
        static.plotly_bundle = lambda: full  # type: ignore[assignment]
    else:
        assert plotly_bundle().url_name.startswith("plotly-basic-")
    return cli.main(["serve", "--port", str(port)])


def start(bundle: str, workdir: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    env = {**os.environ, "DUBAN_DEMO": "1", "DUBAN_TODAY": "2026-05-06", "PYTHONPATH": str(ROOT)}
    env.pop("DUBAN_DATABASE_URL", None)
    log = (workdir / "serve.log").open("wb")
    process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--serve", bundle,
                                "--port", str(port)], cwd=workdir, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the {bundle} server exited:\n{(workdir / 'serve.log').read_text()}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return url, process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    sys.exit(f"the {bundle} server did not answer within 120 s")


def visit(browser: Any, url: str, network: dict[str, Any] | None) -> tuple[int, float, float, str]:
    """A first visit: sign in as the leader, land on the dashboard; (bytes, first chart s,
    all charts s, the plotly URL loaded)."""
    context = browser.new_context(**context_options(1920, 1080))
    page = context.new_page()
    if network is not None:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", network)
    page.goto(f"{url}/login")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", "duban-leader")
    t0 = time.perf_counter()
    page.click("button[type=submit]")
    page.wait_for_selector("[data-drawn='1']", timeout=120_000)
    first = time.perf_counter() - t0
    page.wait_for_function(DRAWN, timeout=120_000)
    every = time.perf_counter() - t0
    assert page.url.endswith("/dashboard"), page.url
    sent = int(page.evaluate(BYTES))
    script = page.evaluate("document.querySelector('script[src*=\"/static/plotly\"]').src")
    context.close()
    return sent, first, every, script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="first visits per bundle and network")
    parser.add_argument("--serve", choices=("full", "partial"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        sys.exit(serve(args.serve, args.port))

    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        servers = {}
        for bundle in ("full", "partial"):
            (Path(tmp) / bundle).mkdir()
            servers[bundle] = start(bundle, Path(tmp) / bundle)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(**launch_options())
                for url, _ in servers.values():  # warm the servers' own caches
                    visit(browser, url, None)
                print(f"first dashboard after sign-in, fresh browser profile, 1920x1080, "
                      f"median of {args.runs} (servers taking turns)")
                for name, network in NETWORKS.items():
                    got: dict[str, list[tuple[int, float, float, str]]] = {"full": [], "partial": []}
                    for _ in range(args.runs):
                        for bundle, (url, _) in servers.items():
                            got[bundle].append(visit(browser, url, network))
                    med = {b: (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows),
                               statistics.median(r[2] for r in rows)) for b, rows in got.items()}
                    f, q = med["full"], med["partial"]
                    print(f"  {name}:")
                    for bundle in ("full", "partial"):
                        m = med[bundle]
                        print(f"    {bundle:<7} {got[bundle][0][3].rsplit('/', 1)[1]:<28} "
                              f"{m[0] / 1e6:6.2f} MB  first chart {m[1]:5.2f} s  all charts {m[2]:5.2f} s")
                    print(f"    ratio full/partial: bytes {f[0] / q[0]:.2f}x, first chart {f[1] / q[1]:.2f}x, "
                          f"all charts {f[2] / q[2]:.2f}x")
                browser.close()
        finally:
            for _, process in servers.values():
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
