"""Contact URLs are secrets: their redacted form."""

from __future__ import annotations

import pytest

from notifier.redact import redact_text, redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mailtos://jt:s3cretPW@smtp.gov.example:465?to=a@gov.example",
         "mailtos://***@smtp.gov.example:465/***"),
        ("mailto://127.0.0.1:2525?from=d@gov.example&to=x@gov.example&mode=insecure",
         "mailto://127.0.0.1:2525/***"),
        ("wecombot://0123456789abcdef0123", "wecombot://***"),
        ("dingtalk://TOKENabc123/SECRETxyz789", "dingtalk://***"),
        ("feishu://9f8e7d6c-aaaa-bbbb/secretkey", "feishu://***"),
        ("json://hooks.example.com/api/T0K3N?x=1", "json://hooks.example.com/***"),
        ("jsons://user:pw@hooks.example.com", "jsons://***@hooks.example.com"),
        ("not a url", "***"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    """Only the scheme and a real host survive; users, passwords, tokens, paths do not."""
    assert redact_url(url) == shown


def test_redact_text_masks_every_secret_piece() -> None:
    """An error quoting the URL, its password or its token keeps none of them."""
    url = "dingtalk://TOKENabc123/SECRETxyz789"
    text = f"failed {url}; token TOKENabc123 rejected, secret SECRETxyz789"
    out = redact_text(text, [url])
    assert "TOKENabc123" not in out and "SECRETxyz789" not in out
    assert "dingtalk://***" in out
    mail = "mailtos://jt:s3cretPW@smtp.gov.example"
    assert "s3cretPW" not in redact_text(f"login s3cretPW refused by {mail}", [mail])
