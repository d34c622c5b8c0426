"""Who is really asking when the server sits behind reverse proxies (issue 15.12).

``client_address(peer, forwarded_for, trusted)`` is the address the login throttle counts:
the connection's own peer, unless that peer is a trusted proxy (``Settings.trusted_proxies``,
``DUBAN_TRUSTED_PROXIES``). Then ``X-Forwarded-For`` is read from the right (the nearest hop
first), skipping trusted proxies, and the first address that is not one is the client: what
a client wrote itself into the header lies further left and is never reached while a trusted
proxy appended the real address after it. From any other peer the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:a.b.c.d is the IPv4 client a.b.c.d
    return address


def _plain(text: str) -> str:
    """``text`` as one spelling of its address (mapped IPv4 unwrapped, port dropped), or as
    given when it is no address."""
    address = _address(text)
    return text if address is None else str(address)


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, trusted: Sequence[Network]) -> bool:
    return address is not None and any(address.version == n.version and address in n for n in trusted)


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The client's address: ``peer``, or, from a trusted proxy, the nearest untrusted hop of
    ``X-Forwarded-For`` (every header line, in order). A malformed hop ends the walk there
    (the proxy's peer is then the client: nothing beyond it can be believed)."""
    here = _plain(peer or "")
    if not trusted or not _trusted(_address(here), trusted):
        return here
    hops = [h for line in forwarded_for for h in line.split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return here
        if not _trusted(address, trusted):
            return str(address)
        here = str(address)
    return here
