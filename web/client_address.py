"""Which address a request comes from, for the rate limits (chat, search, reports, sign-in, /oruk).

Behind a reverse proxy the TCP peer is the proxy, so every parent would share one allowance. The
proxy tells us the real address in ``X-Forwarded-For``, but anyone can send that header, so it is
believed only when the peer is one of ``SIGNPOST_TRUSTED_PROXIES`` (addresses or CIDRs). Then the
header is read from the right (the entries our own proxies appended) and the first address that
is not a trusted proxy is the client: entries further left were written by the client and could
be anything.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable, Sequence

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: The parsed ``SIGNPOST_TRUSTED_PROXIES``, set on the root app at start-up.
TRUSTED_PROXIES = web.AppKey("trusted_proxies", tuple)


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.2", "172.16.0.0/12"]`` as networks; ValueError names a bad entry."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or CIDR range") from None
    return tuple(networks)


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip().strip('"')
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:4711"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:4711"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address,
             trusted: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


def resolve(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The client's address, given the TCP peer and every ``X-Forwarded-For`` header sent."""
    peer_ip = _ip(peer or "")
    if peer_ip is None or not _trusted(peer_ip, trusted):
        return peer or "unknown"
    client = str(peer_ip)
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _ip(hop)
        if address is None:  # our proxy wrote nothing we can read: count the last hop we know
            return client
        client = str(address)
        if not _trusted(address, trusted):
            return client
    return client  # every hop is one of our proxies


def client_address(request: web.Request) -> str:
    """The address the rate limits count against for ``request``."""
    trusted = request.config_dict.get(TRUSTED_PROXIES, ())
    return resolve(request.remote, request.headers.getall("X-Forwarded-For", []), trusted)
