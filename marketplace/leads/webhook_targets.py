"""Which addresses a webhook may reach, and the HTTP session that holds to it: a URL is
checked when it is registered and before each attempt, and the address the socket actually
connected to is checked again (DNS rebinding)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class RefusedTarget(Exception):
    """The URL leads to an address webhooks may not reach (our own network, say)."""


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo, NAT64), if any: each is
    a way to reach 127.0.0.1 or 10.0.0.1 spelled as IPv6."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(text: str) -> bool:
    """True only for a global unicast address: not private, loopback, link-local (cloud
    metadata at 169.254.169.254), multicast, reserved, unspecified or shared (100.64/10)."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # fe80::1%eth0
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None and not is_public_address(str(inner)):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (a seam for tests)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _private_allowed() -> bool:
    return bool(current_app.config["WEBHOOK_ALLOW_PRIVATE_TARGETS"])


def target_problem(url: str) -> str | None:
    """Why a webhook may not post to `url` now, or None. ANY refused address refuses the URL:
    the HTTP client may pick any of them."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = _resolve(host, port)
    except (OSError, UnicodeError, ValueError):
        return f"the host name {host} could not be resolved"
    if not addresses:
        return f"the host name {host} could not be resolved"
    if _private_allowed():
        return None
    refused = [address for address in addresses if not is_public_address(address)]
    if refused:
        return (
            f"{host} resolves to {refused[0]}, a private, loopback or link-local address; "
            "webhooks are sent to public addresses only"
        )
    return None


class _GuardedConnectionMixin:
    """Checks the address the socket actually connected to. Resolving first and connecting
    later leaves a gap that DNS rebinding slips through; the peer of the open socket cannot
    be changed after the check."""

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        peer = str(sock.getpeername()[0])
        if not is_public_address(peer):
            sock.close()
            raise RefusedTarget(
                f"connected to {peer}, a private, loopback or link-local address; refused"
            )
        return sock


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {  # type: ignore[assignment]
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }


def http_session() -> requests.Session:
    session = requests.Session()
    # No proxies, .netrc credentials or CA bundles from the environment: a proxy would hide
    # the real peer from the check above, and a netrc would hand our credentials to a CRM.
    session.trust_env = False
    if not _private_allowed():
        adapter = _GuardedAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return session
