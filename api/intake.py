"""The public complaint form (issue 13.2), pure: every problem of a filed form at once, each
under its field, so the page shows each beside its input.

``read_intake(form, projects=)`` checks ``title`` (1..``TITLE_MAX`` characters), ``kind``
(投诉 / 咨询 / 建议, or complaint / consultation / suggestion), ``text`` (1..``TEXT_MAX``), an
optional ``project`` (one of ``projects``) and ``contact`` (a phone number or an e-mail
address; only the office ever reads it). Text stays plain text: stored as written (trimmed),
escaped by every page; control and bidirectional characters are refused. The bounds are the
core's (``projects.complaints``, which checks every filing again wherever it comes from).
``address_key`` is what the hourly bound stores of a client's address.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from projects.catalogue import CONTACT_MAX, NAME_MAX, TEXT_MAX
from projects.fields import control_character_zh
from projects.model import COMPLAINT_KIND_WORDS
from projects.validation import contact_form

TITLE_MAX = NAME_MAX
__all__ = ["BODY_MAX", "CONTACT_MAX", "TEXT_MAX", "TITLE_MAX", "Intake", "address_key", "read_intake"]
#: The form's body is refused before it is read beyond this (bytes; generous for TEXT_MAX
#: Chinese characters, 3 bytes each, percent-encoded as 9; more is refused with 413).
BODY_MAX = 64 * 1024


Said = tuple[str, str]  # (zh, en)


@dataclass(frozen=True, slots=True)
class Intake:
    """A checked public complaint, before it is stored."""

    title: str
    kind: str
    text: str
    project: str | None
    contact: str


def read_intake(form: Mapping[str, str], *, projects: Collection[str]) -> tuple[Intake | None, dict[str, Said]]:
    """The complaint ``form`` holds, or ``None`` with every problem under its field."""
    errors: dict[str, Said] = {}
    title = _text(form, "title", TITLE_MAX, ("标题", "the title"), errors)
    text = _text(form, "text", TEXT_MAX, ("内容", "the text"), errors)
    raw_kind = (form.get("kind") or "complaint").strip()
    found = COMPLAINT_KIND_WORDS.get(raw_kind) or COMPLAINT_KIND_WORDS.get(raw_kind.lower())
    kind = None if found is None else found.value
    if kind is None:
        errors["kind"] = (f"类别「{raw_kind[:20]}」不认识，请选择投诉、咨询或建议",
                          f"unknown kind {raw_kind[:20]!r}; choose complaint (投诉), consultation (咨询) "
                          f"or suggestion (建议)")
    project = (form.get("project") or "").strip() or None
    if project is not None and project not in projects:
        errors["project"] = ("没有这个项目，请从列表中选择，或不选",
                             "no such project; pick one from the list, or leave it empty")
    contact = (form.get("contact") or "").strip()
    if not contact:
        errors["contact"] = ("请留下手机号码或电子邮箱，只有督办办公室能看到",
                             "leave a phone number or an e-mail address; only the supervision office sees it")
    elif len(contact) > CONTACT_MAX or not contact_form(contact):
        errors["contact"] = ("联系方式应为 11 位手机号码、固定电话（如 0759-1234567）或电子邮箱"
                             "（如 name@mail.example）",
                             "the contact should be an 11-digit mobile number, a landline "
                             "(0759-1234567) or an e-mail address (name@mail.example)")
    if errors or title is None or text is None or kind is None:
        return None, errors
    return Intake(title, kind, text, project, contact), errors


def _text(form: Mapping[str, str], name: str, limit: int, what: Said, errors: dict[str, Said]) -> str | None:
    value = (form.get(name) or "").strip()
    if not value:
        errors[name] = (f"请填写{what[0]}", f"{what[1]} cannot be empty")
        return None
    if len(value) > limit:
        errors[name] = (f"{what[0]}最多 {limit} 个字，现在是 {len(value)} 个",
                        f"{what[1]} may hold at most {limit} characters; it has {len(value)}")
        return None
    bad = control_character_zh(value)
    if bad is not None:
        errors[name] = (f"{what[0]}{bad[0]}", f"{what[1]} {bad[1]}")
        return None
    return value


def address_key(key: str, address: str) -> str:
    """What is stored of a client's address for the hourly bound: a keyed digest (no address
    is kept in the clear, and none can be recovered by trying every address without the key).
    An IPv6 client counts by its /64, the block one household or one server is given: rotating
    the last 64 bits is not a new client."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        parsed = None
    if isinstance(parsed, ipaddress.IPv6Address):
        address = str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return hmac.new(key.encode(), address.encode(), hashlib.sha256).hexdigest()
