"""Loads config.yaml and the environment into one frozen, validated `Config`; the only reader of either."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.errors import ConfigError

#: The knowledge folder shipped beside the package (works from a checkout and an editable install).
DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"


@dataclass(frozen=True)
class MatcherConfig:
    """Thresholds that turn match scores into answer / clarify / fallback (see config.example.yaml)."""

    answer_threshold: float = 0.30  # when the matcher's views back the best entry (see Matcher._decide)
    lone_answer_threshold: float = 1.55  # when they do not: answer only on overwhelming evidence
    margin: float = 0.0
    majority_margin: float = 0.20  # the lead over the runner-up an answer backed by two of three views needs
    clarify_threshold: float = 0.20
    min_similarity: float = 0.15  # an answer also needs this share of some example's phrases in the question
    max_candidates: int = 3
    cache_size: int = 1024  # recent questions whose match is remembered (0: none)
    learned: bool = True  # let the learned judge (bot/core/learned.py) decide when its model fits the knowledge


#: The matcher settings that are score thresholds (each between 0 and 2).
_SCORE_KEYS = (
    "answer_threshold",
    "lone_answer_threshold",
    "margin",
    "majority_margin",
    "clarify_threshold",
    "min_similarity",
)


@dataclass(frozen=True)
class WebhookConfig:
    url: str = ""
    listen: str = "127.0.0.1"
    port: int = 8443
    path: str = "telegram"
    secret_token: str = field(default="", repr=False)

    @property
    def enabled(self) -> bool:
        return bool(self.url)


@dataclass(frozen=True)
class RateLimitConfig:
    """Outgoing flood control (PTB's AIORateLimiter): Telegram's documented limits; 0 turns throttling off."""

    overall_per_second: float = 30.0
    group_per_minute: float = 20.0


@dataclass(frozen=True)
class RetryConfig:
    """How Bot API calls are tried again (bot.telegram.retry): one policy for every call."""

    attempts: int = 4  # tries in all, the first included
    max_wait: float = 30.0  # the longest 429 "retry after" waited out, in seconds


@dataclass(frozen=True)
class FloodConfig:
    """Each user's budget of incoming messages (bot.flood): `burst` at once, then `per_second`; 0 turns it off."""

    burst: int = 10
    per_second: float = 1.0


@dataclass(frozen=True)
class TelegramConfig:
    token: str = field(default="", repr=False)
    base_url: str = ""
    admin_ids: tuple[int, ...] = ()
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    concurrent_updates: int = 64
    connection_pool_size: int = 16
    poll_timeout: int = 30
    #: Proxy for every Bot API call (http://, socks5://, socks5h://, socks4://), from telegram.proxy or the usual
    #: environment variables; "" for none. Not in repr: it may carry a password.
    proxy: str = field(default="", repr=False)
    rate_limit: RateLimitConfig = field(default_factory=RateLimitConfig)
    flood: FloodConfig = field(default_factory=FloodConfig)
    retry: RetryConfig = field(default_factory=RetryConfig)


@dataclass(frozen=True)
class Config:
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    database: Path = Path("advisor.sqlite3")
    matcher: MatcherConfig = field(default_factory=MatcherConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    unmatched_retention_days: int = 90
    log_level: str = "INFO"


def _section(data: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    value = data.get(name, {})
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: {name}: expected a mapping of settings, got {type(value).__name__}")
    return value


def _take(section: Mapping[str, Any], key: str, kind: type, default: Any, where: str, *, secret: bool = False) -> Any:
    """`section[key]` checked against `kind`; a secret's wrong value is described, never repeated."""
    if key not in section or section[key] is None:
        return default
    value = section[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    shown = f"a {type(value).__name__} (put it in quotes)" if secret else repr(value)
    if kind is int and isinstance(value, bool):
        raise ConfigError(f"{where}.{key}: expected a whole number, got {shown}")
    if not isinstance(value, kind):
        raise ConfigError(f"{where}.{key}: expected {kind.__name__}, got {shown}")
    return value


def _check_unknown(section: Mapping[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(map(str, unknown))} (typo?)")


#: Proxy schemes the Bot API client speaks (socks5h: the proxy resolves api.telegram.org, not the local DNS).
PROXY_SCHEMES = ("http", "socks5", "socks5h", "socks4")
#: Environment variables naming a proxy for the Bot API's scheme, most specific first (curl's convention).
_PROXY_ENV = {
    "https": ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"),
    "http": ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"),
}


def _proxy(configured: str, base_url: str, env: Mapping[str, str], where: str) -> str:
    """The proxy URL from the config, else from the environment (unless NO_PROXY names the host), checked.

    "" for none. An error names the setting or variable and what is wrong, never the URL (it may hold a password).
    """
    source, url = where, configured.strip()
    if not url:
        api = urlsplit(base_url or "https://api.telegram.org")
        names = _PROXY_ENV.get(api.scheme.lower(), ())
        source, url = next(((name, env[name].strip()) for name in names if env.get(name, "").strip()), ("", ""))
        no_proxy = env.get("NO_PROXY") or env.get("no_proxy") or ""
        if url and _bypassed(api.hostname or "", no_proxy):
            return ""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ConfigError(f"{source}: not a proxy URL (expected e.g. socks5h://127.0.0.1:1080)") from error
    if parts.scheme.lower() not in PROXY_SCHEMES:
        shown = parts.scheme or "none"
        raise ConfigError(f"{source}: proxy scheme {shown!r} is not supported; use one of {', '.join(PROXY_SCHEMES)}")
    if not parts.hostname or port is None:
        raise ConfigError(f"{source}: a proxy URL needs a host and a port (e.g. http://127.0.0.1:8080)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(f"{source}: a proxy URL is scheme://[user:password@]host:port and nothing more")
    return url


def _bypassed(host: str, no_proxy: str) -> bool:
    """Whether NO_PROXY (comma-separated hosts or domain suffixes, or *) says to reach `host` directly."""
    host = host.lower().rstrip(".")
    for entry in (part.strip().lower().lstrip(".").rstrip(".") for part in no_proxy.split(",")):
        if entry == "*" or (entry and (host == entry or host.endswith(f".{entry}"))):
            return True
    return False


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read `path` (optional) and the environment; relative paths are resolved against the config file's folder."""
    env = os.environ if env is None else env
    data: Mapping[str, Any] = {}
    name = str(path) if path else "config"
    base = Path.cwd()
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise ConfigError(f"{path}: no such config file (copy config.example.yaml to start)") from error
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: cannot read the config file ({error})") from error
        except yaml.YAMLError as error:
            # not str(error): its snippet of the offending line could be the token
            mark = getattr(error, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
            problem = getattr(error, "problem", None) or "cannot be parsed"
            raise ConfigError(f"{where}: not valid YAML ({problem})") from error
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, Mapping):
            raise ConfigError(f"{path}: expected a mapping of settings at the top level")
        data = loaded
        base = path.resolve().parent
    _check_unknown(data, {"knowledge", "storage", "matcher", "telegram", "logging"}, name)

    knowledge = _section(data, "knowledge", name)
    _check_unknown(knowledge, {"path"}, f"{name}: knowledge")
    knowledge_path = _take(knowledge, "path", str, "", f"{name}: knowledge")
    knowledge_dir = (base / knowledge_path) if knowledge_path else DEFAULT_KNOWLEDGE_DIR

    storage = _section(data, "storage", name)
    _check_unknown(storage, {"path", "unmatched_retention_days"}, f"{name}: storage")
    database = Path(env.get("ADVISOR_DB") or _take(storage, "path", str, "advisor.sqlite3", f"{name}: storage"))
    if not database.is_absolute():
        database = base / database
    retention = _take(storage, "unmatched_retention_days", int, 90, f"{name}: storage")

    m = _section(data, "matcher", name)
    where = f"{name}: matcher"
    _check_unknown(m, {*_SCORE_KEYS, "max_candidates", "cache_size", "learned"}, where)
    defaults = MatcherConfig()
    scores = {key: _take(m, key, float, getattr(defaults, key), where) for key in _SCORE_KEYS}
    for key, value in scores.items():
        if not 0.0 <= value <= 2.0:
            raise ConfigError(f"{where}.{key}: must be between 0 and 2 (scores blend several signals)")
    matcher = MatcherConfig(
        **scores,
        max_candidates=_take(m, "max_candidates", int, defaults.max_candidates, where),
        cache_size=_take(m, "cache_size", int, defaults.cache_size, where),
        learned=_take(m, "learned", bool, defaults.learned, where),
    )
    if matcher.clarify_threshold > matcher.answer_threshold:
        raise ConfigError(f"{where}.clarify_threshold: must not be above answer_threshold")
    if matcher.cache_size < 0:
        raise ConfigError(f"{where}.cache_size: must not be negative (0 turns the cache off)")
    if not 2 <= matcher.max_candidates <= 5:
        raise ConfigError(f"{where}.max_candidates: must be between 2 and 5")

    t = _section(data, "telegram", name)
    where = f"{name}: telegram"
    _check_unknown(
        t,
        {
            "token",
            "base_url",
            "admin_ids",
            "webhook",
            "concurrent_updates",
            "connection_pool_size",
            "poll_timeout",
            "rate_limit",
            "flood",
            "retry",
            "proxy",
        },
        where,
    )
    admin_ids = t.get("admin_ids") or []
    if not isinstance(admin_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in admin_ids):
        raise ConfigError(f"{where}.admin_ids: expected a list of numeric Telegram user ids")
    w = _section(t, "webhook", where)
    wwhere = f"{where}.webhook"
    _check_unknown(w, {"url", "listen", "port", "path", "secret_token"}, wwhere)
    webhook = WebhookConfig(
        url=_take(w, "url", str, "", wwhere),
        listen=_take(w, "listen", str, "127.0.0.1", wwhere),
        port=_take(w, "port", int, 8443, wwhere),
        path=_take(w, "path", str, "telegram", wwhere),
        secret_token=env.get("TELEGRAM_WEBHOOK_SECRET") or _take(w, "secret_token", str, "", wwhere, secret=True),
    )
    if webhook.enabled and not webhook.secret_token:
        raise ConfigError(f"{wwhere}.secret_token: webhook mode needs a secret token (or TELEGRAM_WEBHOOK_SECRET)")
    r = _section(t, "rate_limit", where)
    rwhere = f"{where}.rate_limit"
    if "max_retries" in r:
        raise ConfigError(f"{rwhere}.max_retries: retries are set in telegram.retry now (attempts, max_wait)")
    _check_unknown(r, {"overall_per_second", "group_per_minute"}, rwhere)
    rate_limit = RateLimitConfig(
        overall_per_second=_take(r, "overall_per_second", float, 30.0, rwhere),
        group_per_minute=_take(r, "group_per_minute", float, 20.0, rwhere),
    )
    if rate_limit.overall_per_second < 0 or rate_limit.group_per_minute < 0:
        raise ConfigError(f"{rwhere}: limits must not be negative")
    y = _section(t, "retry", where)
    ywhere = f"{where}.retry"
    _check_unknown(y, {"attempts", "max_wait"}, ywhere)
    retry = RetryConfig(
        attempts=_take(y, "attempts", int, RetryConfig.attempts, ywhere),
        max_wait=_take(y, "max_wait", float, RetryConfig.max_wait, ywhere),
    )
    if not 1 <= retry.attempts <= 10:
        raise ConfigError(f"{ywhere}.attempts: must be between 1 (no retry) and 10")
    if retry.max_wait < 0:
        raise ConfigError(f"{ywhere}.max_wait: must not be negative")
    f = _section(t, "flood", where)
    fwhere = f"{where}.flood"
    _check_unknown(f, {"burst", "per_second"}, fwhere)
    flood = FloodConfig(burst=_take(f, "burst", int, 10, fwhere), per_second=_take(f, "per_second", float, 1.0, fwhere))
    if flood.burst < 0 or flood.per_second < 0:
        raise ConfigError(f"{fwhere}: the budget must not be negative (0 turns it off)")
    base_url = env.get("TELEGRAM_API_BASE_URL") or _take(t, "base_url", str, "", where)
    telegram = TelegramConfig(
        token=env.get("TELEGRAM_BOT_TOKEN") or _take(t, "token", str, "", where, secret=True),
        base_url=base_url,
        admin_ids=tuple(admin_ids),
        webhook=webhook,
        concurrent_updates=_take(t, "concurrent_updates", int, 64, where),
        connection_pool_size=_take(t, "connection_pool_size", int, 16, where),
        poll_timeout=_take(t, "poll_timeout", int, 30, where),
        proxy=_proxy(_take(t, "proxy", str, "", where, secret=True), base_url, env, f"{where}.proxy"),
        rate_limit=rate_limit,
        flood=flood,
        retry=retry,
    )

    logging_section = _section(data, "logging", name)
    _check_unknown(logging_section, {"level"}, f"{name}: logging")
    level = str(_take(logging_section, "level", str, "INFO", f"{name}: logging")).upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"{name}: logging.level: expected DEBUG, INFO, WARNING or ERROR, got {level}")

    return Config(
        knowledge_dir=knowledge_dir,
        database=database,
        matcher=matcher,
        telegram=telegram,
        unmatched_retention_days=retention,
        log_level=level,
    )
