"""群众投诉 over real HTTP (issue 13.2): a member of the public files on /public without an account
(CSRF-checked), follows by code and rates once through the private link; the office routes on
/complaints and alone reads the contact; the unit answers in its inbox; every refusal comes back
with its message (zh-CN first) and writes nothing."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.site import Site

CONTACT = "resident.li@mail.example"
TEXT = "海东大道夜间施工噪音扰民，<script>alert(1)</script> 请尽快处理"


async def _file(site: Site, **form: str) -> object:
    site.client.cookies.clear()
    page = await site.client.get("/public")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    data = {"title": "夜间施工噪音", "kind": "complaint", "text": TEXT, "contact": CONTACT, **form,
            "_csrf_token": token.group(1)}
    return await site.client.post("/public/complaints", data=data, follow_redirects=False)


def _filed(r: object) -> tuple[str, str]:
    text = r.text  # type: ignore[attr-defined]
    code = re.search(r'<p class="code" id="code">([^<]+)</p>', text)
    link = re.search(r'id="rating-link" href="([^"]+)"', text)
    assert code and link, text
    return code.group(1), link.group(1).replace("&amp;", "&")


async def test_the_public_files_the_office_routes_the_unit_answers_the_public_rates(site: Site) -> None:
    r = await _file(site)
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    code, link = _filed(r)
    assert code.startswith("C-2026-") and "已受理" in r.text  # type: ignore[attr-defined]
    key = parse_qs(urlsplit(link).query)["key"][0]
    # follow by code: received, not routed yet; nothing of the complainant
    tracked = await site.client.get(f"/public/track?code={code.lower()}")
    assert tracked.status_code == 200 and 'data-state="received"' in tracked.text
    assert CONTACT not in tracked.text and "噪音扰民" not in tracked.text
    # the office reads it with the contact, escaped text, and routes it to water
    await site.sign_in("office")
    page = await site.client.get("/complaints")
    assert CONTACT in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)</script>" not in page.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = await site.client.post(f"/complaints/{code}/route", data={"unit": "water", "due": "", "_csrf_token": token},
                               follow_redirects=False)
    assert r.status_code == 303 and "done=" in r.headers["location"], r.headers
    page = await site.client.get("/complaints")
    card = re.search(rf'id="complaint-{code}".*?</div>', page.text, re.S).group(0)  # type: ignore[union-attr]
    assert "市水务局" in card and "2026-05-12" in card  # 5 working days after Wed 05-06: Sat 05-09 works (劳动节调休)
    # another unit (the transport owner) does not see it, nor its contact; answering is refused
    await site.sign_in("owner")
    page = await site.client.get("/complaints")
    assert code not in page.text and CONTACT not in page.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = await site.client.post(f"/complaints/{code}/answer", data={"text": "冒充", "_csrf_token": token})
    assert r.status_code == 403
    # the water unit finds it in its inbox and answers it (no contact there)
    await site.sign_in("unit")
    inbox = await site.client.get("/inbox")
    assert "待答复的群众投诉" in inbox.text and f'href="/complaints#complaint-{code}"' in inbox.text
    page = await site.client.get("/complaints")
    assert code in page.text and CONTACT not in page.text and "answer-form" in page.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = await site.client.post(f"/complaints/{code}/answer", data={"text": "已协调施工单位调整作业时间", "_csrf_token": token},
                               follow_redirects=False)
    assert r.status_code == 303 and "error" not in r.headers["location"], r.headers
    # the complainant rates through the link, once
    site.client.cookies.clear()
    page = await site.client.get(link.replace("http://127.0.0.1", ""))
    assert page.status_code == 200 and "已协调施工单位调整作业时间" in page.text and 'name="rating"' in page.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    rated = await site.client.post("/public/rate", data={"code": code, "key": key, "rating": "basically_satisfied",
                                                         "_csrf_token": token})
    assert rated.status_code == 200 and "感谢您的评价" in rated.text, rated.text
    again = await site.client.post("/public/rate", data={"code": code, "key": key, "rating": "dissatisfied",
                                                         "_csrf_token": token})
    assert again.status_code == 409 and "只能评价一次" in again.text
    tracked = await site.client.get(f"/public/track?code={code}")
    assert "基本满意" in tracked.text and "不满意" not in tracked.text
    public = await site.client.get("/public")
    row = re.search(r'<tr data-unit="water">.*?</tr>', public.text, re.S).group(0)  # type: ignore[union-attr]
    assert "100%" in row
    assert CONTACT not in public.text and "噪音扰民" not in public.text and code not in public.text


async def test_the_form_past_the_hourly_bound_says_so_and_keeps_what_was_written(site: Site) -> None:
    """Five filings an hour from one address (the default); the sixth comes back 429 with
    Retry-After, the bound in Chinese beside the form and the text kept; nothing more is filed."""
    from projects import repository as repo  # noqa: PLC0415

    for i in range(5):
        assert (await _file(site, title=f"第{i}件")).status_code == 200  # type: ignore[attr-defined]
    r = await _file(site, title="第六件")
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0  # type: ignore[attr-defined]
    assert "一小时内最多提交 5 条" in r.text and "第六件" in r.text  # type: ignore[attr-defined]
    assert len(await repo.complaints()) == 5
