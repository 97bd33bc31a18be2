"""One settings object, read from the environment only when asked."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from pathlib import Path


class SettingsError(RuntimeError):
    """A configuration problem that must stop the start-up with a clear message."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _local_secret(db_path: Path) -> str:
    """Outside production, keep one generated secret beside the database so links survive restarts."""
    path = Path(db_path).parent / ".secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(secret)
    return secret


#: How the connection to the relay is protected: STARTTLS on a plain port, TLS from the first byte, or (loopback only) none.
SMTP_SECURITY = ("starttls", "tls", "none")
_DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


def _loopback(host: str) -> bool:
    """A relay on this machine, the only one addresses and passwords may reach unencrypted."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class SmtpSettings:
    """The mail relay; without a host nothing is sent (and pages say so)."""

    host: str = ""
    port: int = 587
    security: str = "starttls"
    user: str = ""
    password: str = field(default="", repr=False)
    #: The From address, bare ("lab@ville.fr": the collectivité's name is shown beside it) or with its own name.
    sender: str = ""
    per_minute: int = 60
    timeout_seconds: float = 30.0

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings:
        """Read LAB_SMTP_* and LAB_MAIL_PER_MINUTE; a half-configured relay stops the start with a clear message."""
        host = env.get("LAB_SMTP_HOST", "").strip()
        security = env.get("LAB_SMTP_SECURITY", "starttls").strip().lower()
        if security not in SMTP_SECURITY:
            raise SettingsError(f"LAB_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, not {security!r}.")
        values = {"host": host, "security": security, "port": _DEFAULT_PORTS[security],
                  "user": env.get("LAB_SMTP_USER", "").strip(), "password": env.get("LAB_SMTP_PASSWORD", ""),
                  "sender": env.get("LAB_SMTP_FROM", "").strip()}
        for name, key, low, high in (("port", "LAB_SMTP_PORT", 1, 65535), ("per_minute", "LAB_MAIL_PER_MINUTE", 1, 600_000),
                                     ("timeout_seconds", "LAB_SMTP_TIMEOUT", 1, 600)):
            if key in env:
                values[name] = _whole(env, key, low, high)
        if not host:
            return cls(**{**values, "password": ""})
        if security == "none" and not _loopback(host):
            raise SettingsError("LAB_SMTP_SECURITY=none is only allowed for a relay on this machine (127.0.0.1, ::1, "
                                "localhost): addresses and passwords would cross the network in clear. Use starttls or tls.")
        if "@" not in parseaddr(values["sender"])[1]:
            raise SettingsError("LAB_SMTP_FROM must be the sender address (e.g. lab@ville.fr) when LAB_SMTP_HOST is set.")
        if values["user"] and not values["password"]:
            raise SettingsError("LAB_SMTP_PASSWORD must be set when LAB_SMTP_USER is.")
        return cls(**values)


def _whole(env: Mapping[str, str], key: str, low: int, high: int) -> int:
    try:
        value = int(env[key])
    except ValueError as exc:
        raise SettingsError(f"{key} must be a whole number, not {env[key]!r}.") from exc
    if not low <= value <= high:
        raise SettingsError(f"{key} must be between {low} and {high}, not {value}.")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about its environment, in one place."""

    db_path: Path = Path("var/lab.db")
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    production: bool = False
    base_url: str = "http://127.0.0.1:8000"
    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    login_attempts: int = 5
    login_window_seconds: int = 900
    max_body_bytes: int = 6 * 1024 * 1024
    api_client_limit: int = 120
    api_key_limit: int = 600
    default_locale: str = "fr"
    #: Reverse proxies (addresses or networks) whose X-Forwarded-For and X-Forwarded-Proto are believed.
    trusted_proxies: tuple[str, ...] = ()
    start_workers: bool = True
    smtp: SmtpSettings = field(default_factory=SmtpSettings)

    @property
    def secure_cookies(self) -> bool:
        """Cookies get the Secure flag whenever the public address is HTTPS."""
        return self.base_url.startswith("https://")

    def with_(self, **changes) -> Settings:
        """Return a copy with some values changed (tests and CLI options)."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read LAB_* variables; refuse to start in production without a real secret."""
        env = os.environ if env is None else env
        production = _flag(env.get("LAB_PRODUCTION"))
        secret = env.get("LAB_SECRET_KEY", "")
        if production and len(secret) < 32:
            raise SettingsError(
                "LAB_SECRET_KEY must be set to at least 32 random characters when "
                "LAB_PRODUCTION=1 (generate one with: python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')."
            )
        values: dict = {"production": production}
        if "LAB_DB" in env:
            values["db_path"] = Path(env["LAB_DB"])
        values["secret_key"] = secret or _local_secret(values.get("db_path", cls.db_path))
        if "LAB_BASE_URL" in env:
            values["base_url"] = env["LAB_BASE_URL"].rstrip("/")
        for name, key in (
            ("session_idle_minutes", "LAB_SESSION_IDLE_MINUTES"),
            ("session_absolute_hours", "LAB_SESSION_ABSOLUTE_HOURS"),
            ("max_body_bytes", "LAB_MAX_BODY_BYTES"),
            ("api_client_limit", "LAB_API_CLIENT_LIMIT"),
            ("api_key_limit", "LAB_API_KEY_LIMIT"),
        ):
            if key in env:
                try:
                    values[name] = int(env[key])
                except ValueError as exc:
                    raise SettingsError(f"{key} must be a whole number, not {env[key]!r}.") from exc
        if env.get("LAB_TRUSTED_PROXIES", "").strip():
            values["trusted_proxies"] = tuple(p.strip() for p in env["LAB_TRUSTED_PROXIES"].split(",") if p.strip())
        if "LAB_LOCALE" in env:
            values["default_locale"] = env["LAB_LOCALE"]
        values["smtp"] = SmtpSettings.from_env(env)
        return cls(**values)
