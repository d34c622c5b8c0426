"""Work that could stall everyone (issue 15.8, the server part): uploads bounded before they
are parsed, and compiling, dry runs and imports run off the event loop so reads go on."""

from __future__ import annotations

import asyncio
import io
import re
import struct
import zipfile
from collections.abc import Awaitable, Callable

import httpx

from api import excel
from rules.standard import standard_sources
from tests.api.conftest import Api

SHEET = "xl/worksheets/sheet3.xml"  # the template's third sheet: milestones


async def _template(api: Api) -> bytes:
    r = await api.client.get("/api/portfolio/template.xlsx", headers=api.auth("office"))
    assert r.status_code == 200
    return r.content


def _sheet_name(content: bytes) -> str:
    """The part holding the milestones sheet (checked, not assumed)."""
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert SHEET in z.namelist(), z.namelist()
        assert b"<sheetData" in z.read(SHEET)
    return SHEET


def _rewrite(content: bytes, replace: dict[str, bytes], extra: dict[str, int] | None = None) -> bytes:
    """The workbook ``content`` with some parts replaced and (``extra``) parts of N zero bytes added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, size in (extra or {}).items():
            with dst.open(name, "w", force_zip64=True) as f:
                chunk = b"\0" * (1 << 20)
                for _ in range(size >> 20):
                    f.write(chunk)
    return out.getvalue()


def _milestone_rows(n: int, *, dimension: str | None = None, bad_last: bool = False) -> bytes:
    """A milestones sheet of ``n`` rows written as XML (inline strings), declaring ``dimension``."""
    def cell(ref: str, value: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    columns = excel.SHEETS["milestones"]
    header = "".join(cell(f"{chr(65 + i)}1", c) for i, c in enumerate(columns))
    rows = [f'<row r="1">{header}</row>']
    for r in range(2, n + 2):
        due = "not a date" if bad_last and r == n + 1 else "2026-06-30"
        mid = {2: "approval", 3: "tender"}.get(r, f"m{r}")  # the template's dependency links these two
        rows.append(f'<row r="{r}">{cell(f"A{r}", "P001")}{cell(f"B{r}", mid)}{cell(f"C{r}", f"节点{r}")}'
                    f'{cell(f"D{r}", "progress")}{cell(f"E{r}", due)}</row>')
    ref = dimension or f"A1:M{n + 1}"
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{ref}"/><sheetData>{"".join(rows)}</sheetData></worksheet>').encode()


async def _upload(api: Api, content: bytes, name: str = "upload.xlsx") -> httpx.Response:
    return await api.client.post("/api/portfolio.xlsx", headers=api.auth("office"), files={"data": (name, content)})


async def _unchanged(api: Api) -> None:
    projects = (await api.client.get("/api/projects", headers=api.auth("office"))).json()
    assert projects["total"] == 2
    milestones = (await api.client.get("/api/milestones?project=P001", headers=api.auth("office"))).json()
    assert milestones["total"] == 3


async def test_a_workbook_that_unzips_beyond_the_bound_is_refused_before_parsing(api: Api) -> None:
    """A small upload that unzips past 64 MB (a zip bomb) is refused with a zh/en message; nothing is stored."""
    size = excel.MAX_UNCOMPRESSED + (16 << 20)
    bomb = _rewrite(await _template(api), {}, {"xl/media/padding.bin": size})
    assert len(bomb) < 1_000_000  # the upload is small; what it unzips to is not
    r = await _upload(api, bomb, "bomb.xlsx")
    assert r.status_code == 422, r.text
    message = r.json()["problems"][0]["message"]
    assert "解压后" in message and "unzips to 80 MB" in message and "64 MB" in message
    assert message.index("解压后") < message.index("unzips")  # Chinese first
    await _unchanged(api)


async def test_a_member_that_lies_about_its_size_yields_no_more_than_it_declares(api: Api) -> None:
    """A sheet part declaring 200 bytes but holding 80 MB of XML: no more than 200 bytes are read, then refused."""
    template = await _template(api)
    sheet = _sheet_name(template)
    padded = _milestone_rows(2)[:-len(b"</worksheet>")] + b" " * (80 << 20) + b"</worksheet>"
    content = bytearray(_rewrite(template, {sheet: padded}))
    # Patch the central directory's uncompressed size of the sheet to 200 bytes.
    name = sheet.encode()
    at = content.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", content, at + 28)[0]
        if bytes(content[at + 46:at + 46 + length]) == name:
            struct.pack_into("<I", content, at + 24, 200)
            break
        at = content.find(b"PK\x01\x02", at + 4)
    assert at != -1
    r = await _upload(api, bytes(content), "liar.xlsx")
    assert r.status_code == 422, r.text
    assert "不是 .xlsx 工作簿" in r.json()["problems"][0]["message"]
    await _unchanged(api)


async def test_a_sheet_that_declares_too_many_rows_is_refused_with_the_bound(api: Api) -> None:
    """A milestones sheet of more rows than allowed is refused naming the sheet and the bound, zh first."""
    template = await _template(api)
    content = _rewrite(template, {_sheet_name(template): _milestone_rows(excel.MAX_ROWS + 1)})
    r = await _upload(api, content)
    assert r.status_code == 422, r.text
    problem = r.json()["problems"][0]
    assert problem["sheet"] == "milestones"
    assert f"超过 {excel.MAX_ROWS} 行" in problem["message"] and f"more than {excel.MAX_ROWS} rows" in problem["message"]
    assert "duban import" in problem["message"]
    await _unchanged(api)


async def test_a_sheet_that_hides_its_rows_behind_a_small_dimension_is_counted(api: Api) -> None:
    """The row bound holds when the sheet's declared dimension lies (A1:M3 over 20,001 rows)."""
    template = await _template(api)
    content = _rewrite(template, {_sheet_name(template): _milestone_rows(excel.MAX_ROWS + 1, dimension="A1:M3")})
    r = await _upload(api, content)
    assert r.status_code == 422, r.text
    assert f"more than {excel.MAX_ROWS} rows" in r.json()["problems"][0]["message"]
    await _unchanged(api)


async def test_a_sheet_declared_16384_columns_wide_reads_only_its_columns(api: Api) -> None:
    """A dimension of A1:XFD3 does not pad each row to 16,384 cells: the upload imports as usual."""
    template = await _template(api)
    content = _rewrite(template, {_sheet_name(template): _milestone_rows(2, dimension="A1:XFD3")})
    r = await _upload(api, content)
    assert r.status_code == 201, r.text
    assert r.json()["milestones"] >= 2


def _big_rulebook(copies: int = 5) -> dict[str, str]:
    """The standard rulebook copied ``copies`` times under new names, one file a copy (the editor
    takes at most 50 files): an honest compile of about 54,000 characters, some 0.5 CPU-seconds,
    hundreds of times a health probe's work (compiled on the event loop, it would hold the probe
    back whatever its size)."""
    out = {}
    for i in range(copies):
        texts = []
        for original in standard_sources().values():
            text = original
            for word in re.findall(r"^(?:rule|const|score) (\w+)", original, flags=re.MULTILINE):
                text = re.sub(rf"\b{word}\b", f"{word}_{i}", text)
            texts.append(text)
        out[f"c{i}.rules"] = "\n\n".join(texts)
    return out


#: Appended to the big rulebook where the request must end right after compiling (a located
#: diagnostic): nothing is read or written after the compile, so only the compile decides
#: whether the health probe could be answered meanwhile.
BROKEN = {"zz.rules": 'rule broken "坏":\n    for milestone m\n    light red when m.nonesuch > 1\n    message "x"\n'}


async def _health_first(api: Api, slow: Callable[[], Awaitable[httpx.Response]], n: int = 2) -> list[str]:
    """Start ``n`` slow requests, then a health probe: the order in which they finished."""
    await api.client.get("/api/health")  # warm: the revision query and the token lookups
    await api.client.get("/api/me", headers=api.auth("office"))
    done: list[str] = []

    async def heavy() -> None:
        r = await slow()
        assert r.status_code < 500, r.text
        done.append(f"slow {r.status_code}")

    async def health() -> None:
        await asyncio.sleep(0)
        r = await api.client.get("/api/health")
        assert r.status_code == 200
        done.append("health")

    await asyncio.gather(*(heavy() for _ in range(n)), health())
    return done


async def test_reads_are_answered_while_rulebooks_compile(api: Api) -> None:
    """Two checks of a 54,000-character rulebook in flight: a health probe sent after them finishes first."""
    sources = {**_big_rulebook(), **BROKEN}
    r = await api.client.post("/api/rulebooks", json={"sources": sources}, headers=api.auth("office"))
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    done = await _health_first(api, lambda: api.client.post(f"/api/rulebooks/{number}/check",
                                                              headers=api.auth("office")))
    assert done[0] == "health", done
    assert done.count("slow 422") == 2, done


async def test_reads_are_answered_while_the_editor_checks_rules(api: Api) -> None:
    """The rule editor's /rules/check on every keystroke: a health probe finishes before the checks do."""
    await api.client.get("/login")
    csrf = api.client.cookies["csrftoken"]
    sources = _big_rulebook()

    def check() -> Awaitable[httpx.Response]:
        return api.client.post("/rules/check", json={"sources": sources},
                               headers={**api.auth("office"), "x-csrftoken": csrf})

    done = await _health_first(api, check)
    assert done[0] == "health", done
    assert done.count("slow 200") == 2, done


async def test_reads_are_answered_while_a_dry_run_compiles(api: Api) -> None:
    """A dry run compiles off the event loop: the health probe sent after two of them finishes first."""
    sources = {**_big_rulebook(), **BROKEN}
    r = await api.client.post("/api/rulebooks", json={"sources": sources}, headers=api.auth("office"))
    number = r.json()["number"]
    done = await _health_first(api, lambda: api.client.post(f"/api/rulebooks/{number}/dry-run", json={},
                                                              headers=api.auth("office")))
    assert done[0] == "health", done
    assert done.count("slow 422") == 2, done


async def test_reads_are_answered_while_a_large_workbook_is_read(api: Api) -> None:
    """Two uploads of 3,000 rows (the last one bad) are read off the loop: health finishes first."""
    template = await _template(api)
    content = _rewrite(template, {_sheet_name(template): _milestone_rows(3_000, bad_last=True)})
    done = await _health_first(api, lambda: _upload(api, content))
    assert done[0] == "health", done
    assert done.count("slow 422") == 2, done
    await _unchanged(api)
