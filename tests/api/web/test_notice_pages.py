"""The office's notice page refuses a rejection without a reason, with a Chinese sentence."""

from __future__ import annotations

import re
from urllib.parse import unquote

from tests.site import Site


async def test_a_rejection_without_a_reason_comes_back_with_a_chinese_message(site: Site) -> None:
    """A reject form sent with a blank reason (the browser's ``required`` bypassed) is refused:
    the office sees why on the notices page, and the notice stays responded."""
    await site.sign_in("owner")
    inbox = await site.client.get("/inbox")
    found = re.search(r'id="notice-([\w-]+)" data-state="issued"', inbox.text)
    assert found, inbox.text
    code = found.group(1)
    token = await site.form("/inbox")
    await site.client.post(f"/inbox/{code}/respond", data={"text": "已完成招标文件编制", "_csrf_token": token})
    await site.sign_in("office")
    token = await site.form("/notices")
    r = await site.client.post(f"/notices/{code}/reject", data={"reason": "  ", "_csrf_token": token},
                               follow_redirects=False)
    assert r.status_code == 303
    assert "退回须说明理由" in unquote(r.headers["location"])
    page = await site.client.get(r.headers["location"])
    assert '<p class="error" role="alert">退回须说明理由，责任单位才能据此整改</p>' in page.text
    assert f'id="notice-{code}" data-state="responded"' in page.text
