"""Bodies a client got wrong are the client's mistake (400), never a server error."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api

# A multipart body whose text field "unit" is not UTF-8 (the schema fuzzer's find).
BOUNDARY = "b0undary"
BODY = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"unit\"\r\n\r\n".encode() + b"\xbf\xbf\xfe"
        + f"\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.xer\"\r\n\r\nx"
          f"\r\n--{BOUNDARY}--\r\n".encode())


@pytest.mark.parametrize("path", ["/api/projects/P001/schedule", "/api/portfolio.xlsx"])
async def test_a_form_field_that_is_not_utf8_is_a_400(api: Api, path: str) -> None:
    """A multipart text field in another encoding answers 400 saying so (zh first), not 500."""
    r = await api.client.post(path, content=BODY, headers={
        **api.auth("office"), "content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert r.status_code == 400, r.text
    message = r.json()["message"]
    assert "UTF-8" in message and message.index("不是") < message.index("not UTF-8")
