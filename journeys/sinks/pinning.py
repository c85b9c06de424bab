"""HTTP connections that go to the addresses the destination check found public, and nowhere else.

urllib3 normally resolves a host name when it opens a connection, after (and independently of) any
check made before. Here a connection looks the name up once with
:func:`~journeys.sinks.url_safety.resolve_checked`, which refuses any non-public answer, and connects
to exactly those addresses, in the order given, as urllib3 does. The connection keeps the name as
its host: the Host header, TLS SNI and certificate verification are all on the name, so pinning
changes nothing a receiver can see.

:class:`PinnedAdapter` is mounted on every session of :class:`~journeys.sinks.http.HttpClient`, so
every request of every sink and of the asset push connects this way.
"""

from __future__ import annotations

import socket
import sys

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection

from .url_safety import resolve_checked


class _PinnedConnection:
    """``_new_conn`` of urllib3's HTTPConnection, with the lookup replaced by the checked one."""

    def _new_conn(self) -> socket.socket:
        try:
            found = resolve_checked(self._dns_host, self.port)  # UnsafeDestination goes up untouched
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        error: OSError | None = None
        for *_, sockaddr in found:
            try:
                # An address literal: create_connection's own lookup gives it back as it is.
                sock = connection.create_connection(
                    (str(sockaddr[0]), self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                error = ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
                )
                error.__cause__ = exc
            except OSError as exc:
                error = NewConnectionError(self, f"Failed to establish a new connection: {exc}")
                error.__cause__ = exc
            else:
                sys.audit("http.client.connect", self, self.host, self.port)
                return sock
        raise error or NewConnectionError(self, "Failed to establish a new connection: no address")


class PinnedHTTPConnection(_PinnedConnection, HTTPConnection):
    pass


class PinnedHTTPSConnection(_PinnedConnection, HTTPSConnection):
    pass


class PinnedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = PinnedHTTPConnection


class PinnedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = PinnedHTTPSConnection


class PinnedAdapter(HTTPAdapter):
    """requests' adapter whose pools open pinned connections (urllib3's PoolManager picks pools by scheme)."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": PinnedHTTPConnectionPool,
            "https": PinnedHTTPSConnectionPool,
        }
