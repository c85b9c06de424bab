"""Where a destination may point: https only, and only to public addresses.

A destination's URL comes from its users, and the server sends to it (with credentials) from inside
its own network; so by default a URL must use https, and its host must resolve only to public
addresses: not loopback, private, link-local, multicast, reserved or otherwise non-global ranges,
where a user could reach the server's neighbours. The settings forms check a URL when it is entered,
and the sinks check again right before connecting, so a DNS answer that changed since cannot get
past the form.

Two settings relax it, for local receivers in development and tests: ``HTTP_ALLOW_PLAIN`` lets
http:// through, ``BIZFLOW_ALLOW_PRIVATE_DESTINATIONS`` lets private and loopback addresses through
(both default to DEBUG). Where Django is not configured (benchmarks run as plain Python) there is
no user input to guard against, and both are allowed.

What this does not cover: a host that resolves to a public address here and to another one a
moment later in the HTTP library's own lookup, and Kafka brokers that the bootstrap servers
advertise in their metadata.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

Resolver = Callable[..., list]

HTTPS_ONLY = "Use an https:// URL: plain http would send events and credentials unencrypted."


class UnsafeDestination(ValueError):
    """A destination address the settings do not allow; the message says why, for the user."""


def _setting(name: str) -> bool:
    try:
        from django.conf import settings

        return bool(getattr(settings, name, False))
    except Exception:  # ImproperlyConfigured, or Django absent: plain-Python use, no users' input
        return True


def plain_http_allowed() -> bool:
    return _setting("HTTP_ALLOW_PLAIN")


def private_destinations_allowed() -> bool:
    return _setting("BIZFLOW_ALLOW_PRIVATE_DESTINATIONS")


def address_kind(address: str) -> str | None:
    """What makes an IP address unfit for a destination ("loopback", "private"...), or None if it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") is no part of it
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("non-public", not ip.is_global),
    )
    return next((kind for kind, matches in checks if matches), None)


def check_host(host: str, port: int | None = None, *, resolve: Resolver | None = None) -> None:
    """Refuse ``host`` if it is, or resolves to, an address outside the public internet (unless allowed)."""
    if private_destinations_allowed():
        return
    name = host.strip().strip("[]")
    if not name:
        raise UnsafeDestination("The address has no host name.")
    try:
        # https://docs.python.org/3/library/socket.html#socket.getaddrinfo
        found = (resolve or socket.getaddrinfo)(name, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeDestination(f"Cannot find the host {name}: check the name.") from None
    for *_, sockaddr in found:
        address = str(sockaddr[0])
        kind = address_kind(address)
        if kind is not None:
            shown = name if name == address else f"{name} ({address})"
            raise UnsafeDestination(
                f"{shown} is a {kind} address: destinations must be reachable on the public internet."
            )


def check_url(url: str, *, resolve: Resolver | None = None) -> None:
    """Refuse a URL that is not https (unless plain http is allowed) or whose host is not public."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeDestination("This is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme == "http" and not plain_http_allowed():
        raise UnsafeDestination(HTTPS_ONLY)
    if scheme not in ("http", "https"):
        raise UnsafeDestination("Enter a URL starting with https://.")
    check_host(parts.hostname or "", port, resolve=resolve)


def check_servers(servers: str, *, resolve: Resolver | None = None) -> None:
    """Refuse Kafka bootstrap servers (``host:port,host:port``) any of whose hosts is not public."""
    for server in (item.strip() for item in servers.split(",")):
        if not server:
            continue
        host, _, port = server.rpartition(":")
        check_host(host or server, int(port) if port.isdigit() else None, resolve=resolve)
