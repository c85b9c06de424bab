"""Where a destination may point: https only, and only to public addresses, checked where it connects.

A destination's URL comes from its users, and the server sends to it (with credentials) from inside
its own network; so by default a URL must use https, and its host must resolve only to public
addresses: not loopback, private, link-local, multicast, reserved or otherwise non-global ranges,
where a user could reach the server's neighbours.

Three rules make the check hold:

- **One reading of the URL.** :func:`parse_url` reads it as the HTTP client does (urllib3's parser,
  which requests uses to prepare a request and to pick the connection), and refuses what another
  parser could read differently: a backslash (``https://127.0.0.1:8399\\@8.8.8.8/`` is 127.0.0.1 to
  urllib3 and 8.8.8.8 to ``urllib.parse``), user-info (``user:password@``), spaces, control and
  non-ASCII characters, and any URL whose host or port the two parsers disagree on.
- **The address checked is the address connected to.** :func:`resolve_checked` looks the host up
  once and checks every address it answers; the HTTP connections (``pinning.py``) connect to exactly
  those addresses, while the Host header, TLS SNI and certificate verification stay on the name. A
  DNS answer that changes between the check and the connection (DNS rebinding) therefore changes
  nothing. The settings forms check when a URL is entered, so the user sees the problem there.
- **A refusal says nothing about the other side.** An address is refused before any packet is sent
  to it, so the message is the same whether a port there is open, closed or filtered.

Two settings relax it, for local receivers in development and tests: ``HTTP_ALLOW_PLAIN`` lets
http:// through, ``BIZFLOW_ALLOW_PRIVATE_DESTINATIONS`` lets private and loopback addresses through
(both default to DEBUG). Where Django is not configured (benchmarks run as plain Python) there is
no user input to guard against, and both are allowed. The parsing rules apply always.

Kafka: the bootstrap servers and the brokers they advertise are checked (kafka/transport.py), but
librdkafka resolves names itself, so they cannot be pinned: see docs/decisions.md.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url as urllib3_parse_url

Resolver = Callable[..., list]

HTTPS_ONLY = "Use an https:// URL: plain http would send events and credentials unencrypted."
DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeDestination(ValueError):
    """A destination address the settings do not allow; the message says why, for the user."""


@dataclass(frozen=True)
class Target:
    """A URL's scheme, host and port, as the HTTP client connects to them."""

    scheme: str
    host: str  # lower case, IPv6 without brackets
    port: int


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


def _refuse_characters(url: str) -> None:
    if "\\" in url:
        raise UnsafeDestination("A URL cannot contain a backslash (\\): programs read it differently.")
    if not url.isascii():
        raise UnsafeDestination(
            "Use plain ASCII in the URL: an international host name in its xn-- form, other characters %-encoded."
        )
    if any(not character.isprintable() or character.isspace() for character in url):
        raise UnsafeDestination("A URL cannot contain spaces or control characters.")


def parse_url(url: str) -> Target:
    """The URL's target as the HTTP client reads it; UnsafeDestination if it can be read another way."""
    _refuse_characters(url)
    try:
        # requests prepares a URL with urllib3's parser, and its connection pool uses that host and port.
        client = urllib3_parse_url(url)
        other = urlsplit(url)
        other_port = other.port
    except (LocationParseError, ValueError):
        raise UnsafeDestination("This is not a valid URL.") from None
    if client.auth is not None or "@" in other.netloc:
        raise UnsafeDestination("Leave user names and passwords out of the URL: the form has fields for them.")
    scheme = (client.scheme or "").lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsafeDestination("Enter a URL starting with https://.")
    host = (client.host or "").strip("[]").lower()
    if not host:
        raise UnsafeDestination("The address has no host name.")
    port = client.port or DEFAULT_PORTS[scheme]
    if (other.hostname or "").lower() != host or (other_port or DEFAULT_PORTS[scheme]) != port:
        raise UnsafeDestination("This URL can be read in more than one way: write its host and port plainly.")
    return Target(scheme, host, port)


def check_target(url: str) -> Target:
    """The URL read once (:func:`parse_url`), refused if plain http is not allowed. No DNS lookup."""
    target = parse_url(url)
    if target.scheme == "http" and not plain_http_allowed():
        raise UnsafeDestination(HTTPS_ONLY)
    return target


def resolve_checked(host: str, port: int, *, resolve: Resolver | None = None) -> list[tuple]:
    """Look ``host`` up once; every address it has, as getaddrinfo gives them, each found public.

    Raises UnsafeDestination when one is not (unless private destinations are allowed), and
    socket.gaierror when the name does not resolve. Connect only to what this returns.
    """
    name = host.strip().strip("[]")
    # https://docs.python.org/3/library/socket.html#socket.getaddrinfo
    found = (resolve or socket.getaddrinfo)(name, port, type=socket.SOCK_STREAM)
    if not private_destinations_allowed():
        for *_, sockaddr in found:
            address = str(sockaddr[0])
            kind = address_kind(address)
            if kind is not None:
                shown = name if name == address else f"{name} ({address})"
                raise UnsafeDestination(
                    f"{shown} is a {kind} address: destinations must be reachable on the public internet."
                )
    return list(found)


def check_host(host: str, port: int | None = None, *, resolve: Resolver | None = None) -> None:
    """Refuse ``host`` if it is, or resolves to, an address outside the public internet (unless allowed)."""
    if private_destinations_allowed():
        return
    name = host.strip().strip("[]")
    if not name:
        raise UnsafeDestination("The address has no host name.")
    try:
        resolve_checked(name, port or 443, resolve=resolve)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeDestination(f"Cannot find the host {name}: check the name.") from None


def check_url(url: str, *, resolve: Resolver | None = None) -> Target:
    """Refuse a URL read differently by different parsers, not https (unless allowed), or not public."""
    target = check_target(url.strip())
    check_host(target.host, target.port, resolve=resolve)
    return target


def split_server(server: str) -> tuple[str, int | None]:
    """``host:port`` (or ``[v6]:port``) of a Kafka server; UnsafeDestination for anything else."""
    _refuse_characters(server)
    if any(character in server for character in "/@?#"):
        raise UnsafeDestination(f"{server}: write a server as host:port, without a scheme, path or user name.")
    host, colon, port = server.rpartition(":")
    if not colon or (host.count(":") and not host.startswith("[")):
        host, port = server, ""  # no port, or an unbracketed IPv6 address
    if port and not port.isdigit():
        raise UnsafeDestination(f"{server}: the port must be a number.")
    return host.strip("[]"), int(port) if port else None


def check_servers(servers: str, *, resolve: Resolver | None = None) -> None:
    """Refuse Kafka bootstrap servers (``host:port,host:port``) any of whose hosts is not public."""
    for server in (item.strip() for item in servers.split(",")):
        if not server:
            continue
        host, port = split_server(server)
        check_host(host, port, resolve=resolve)
