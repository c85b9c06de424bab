"""Reading settings from the environment, loudly.

A malformed value stops the process at start-up with the variable's name rather than running with
a silent default. Every variable can also be read from a file named by ``<NAME>_FILE`` (for secrets
mounted as files).
"""

import base64
import math
import os
import secrets
from collections.abc import Callable
from pathlib import Path


class ImproperlyConfiguredEnv(RuntimeError):
    pass


def env_str(name: str, default: str | None = None) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfiguredEnv(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfiguredEnv(f"{name}={value!r} is not a boolean (use true or false)")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name}={value!r} is not a whole number") from None


def env_float(name: str, default: float) -> float:
    value = env_str(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name}={value!r} is not a number") from None


def env_limit(name: str, default: float) -> float:
    """A ceiling: a finite number above zero (``nan``, ``inf`` and ``0`` are refused)."""
    value = env_float(name, default)
    if not math.isfinite(value) or value <= 0:
        raise ImproperlyConfiguredEnv(f"{name}={value!r} must be a finite number above zero")
    return value


def env_cap(name: str, default: int | None) -> int | None:
    """A tenant's cap: a whole number above zero, or ``none`` (or ``0``) for no cap."""
    value = env_str(name)
    if value is None:
        return default
    if value.strip().lower() in ("", "none", "0"):
        return None
    number = env_int(name, 0)
    if number < 0:
        raise ImproperlyConfiguredEnv(f"{name}={value!r} must be a whole number, 0 or more (0: no cap)")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def local_secret_key(path: Path, generate: Callable[[], str] = lambda: secrets.token_urlsafe(50)) -> str:
    """A random key made by ``generate`` on first use and kept in ``path`` (readable by the owner only)."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = generate()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


def fernet_key() -> str:
    """A new key in the form cryptography's Fernet takes: 32 random bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")
