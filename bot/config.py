"""Loads config.yaml and the environment into one frozen, validated `Config`; the only reader of either."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from msgspec import Meta

from bot.core.yamlsrc import parse_located
from bot.errors import ConfigError, KnowledgeError
from bot.schema import Issue, conform, line_of

#: The knowledge folder shipped beside the package (works from a checkout and an editable install).
DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"


#: A score threshold: matcher scores blend several signals and stay between 0 and 2.
Score = Annotated[float, Meta(ge=0.0, le=2.0, extra={"fix": "must be between 0 and 2 (scores blend several signals)"})]
#: A count or budget where 0 turns the feature off.
NotNegativeInt = Annotated[int, Meta(ge=0, extra={"fix": "must not be negative (0 turns it off)"})]
NotNegativeFloat = Annotated[float, Meta(ge=0.0, extra={"fix": "must not be negative (0 turns it off)"})]


@dataclass(frozen=True)
class MatcherConfig:
    """Thresholds that turn match scores into answer / clarify / fallback (see config.example.yaml)."""

    answer_threshold: Score = 0.30  # when the matcher's views back the best entry (see Matcher._decide)
    lone_answer_threshold: Score = 1.55  # when they do not: answer only on overwhelming evidence
    margin: Score = 0.0
    majority_margin: Score = 0.20  # the lead over the runner-up an answer backed by two of three views needs
    clarify_threshold: Score = 0.20
    min_similarity: Score = 0.15  # an answer also needs this share of some example's phrases in the question
    max_candidates: Annotated[int, Meta(ge=2, le=5, extra={"fix": "must be between 2 and 5"})] = 3
    cache_size: NotNegativeInt = 1024  # recent questions whose match is remembered (0: none)
    learned: bool = True  # let the learned judge (bot/core/learned.py) decide when its model fits the knowledge


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

    overall_per_second: NotNegativeFloat = 30.0
    group_per_minute: NotNegativeFloat = 20.0


@dataclass(frozen=True)
class RetryConfig:
    """How Bot API calls are tried again (bot.telegram.retry): one policy for every call."""

    #: tries in all, the first included
    attempts: Annotated[int, Meta(ge=1, le=10, extra={"fix": "must be between 1 (no retry) and 10"})] = 4
    max_wait: Annotated[float, Meta(ge=0.0, extra={"fix": "must not be negative"})] = 30.0  # longest 429 wait, s


@dataclass(frozen=True)
class FloodConfig:
    """Each user's budget of incoming messages (bot.flood): `burst` at once, then `per_second`; 0 turns it off."""

    burst: NotNegativeInt = 10
    per_second: NotNegativeFloat = 1.0


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


# --- The sections of config.yaml that are not a Config part as they stand -----------------------------------------


@dataclass(frozen=True)
class _KnowledgeSection:
    path: str = ""  # "": the knowledge folder shipped beside the package


@dataclass(frozen=True)
class _StorageSection:
    path: str = "advisor.sqlite3"
    unmatched_retention_days: int = 90


_Level = Annotated[
    str, Meta(pattern="(?i)^(DEBUG|INFO|WARNING|ERROR)$", extra={"fix": "expected DEBUG, INFO, WARNING or ERROR"})
]


@dataclass(frozen=True)
class _LoggingSection:
    level: _Level = "INFO"


@dataclass(frozen=True)
class _ConfigFile:
    """config.yaml as written: every section optional, every setting defaulted in the class that holds it."""

    knowledge: _KnowledgeSection = field(default_factory=_KnowledgeSection)
    storage: _StorageSection = field(default_factory=_StorageSection)
    matcher: MatcherConfig = field(default_factory=MatcherConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    logging: _LoggingSection = field(default_factory=_LoggingSection)


@dataclass(frozen=True)
class Config:
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    database: Path = Path(_StorageSection.path)
    matcher: MatcherConfig = field(default_factory=MatcherConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    unmatched_retention_days: int = _StorageSection.unmatched_retention_days
    log_level: str = _LoggingSection.level


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


def _read(path: Path) -> Mapping[str, Any]:
    """The settings written in `path`, each remembering its line (a missing, unreadable or malformed file is a
    ConfigError)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: no such config file (copy config.example.yaml to start)") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the config file ({error})") from error
    try:
        # the located loader's messages name the line and YAML's problem, never a snippet (it could be the token)
        loaded = parse_located(text, str(path))
    except KnowledgeError as error:
        [first, *_] = error.problems
        raise ConfigError(str(first).replace("this is not valid YAML", "not valid YAML", 1)) from error
    if loaded is None:
        return {}
    if not isinstance(loaded, Mapping):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return loaded


def _line(data: Mapping[str, Any], place: str) -> int:
    """The line of a dotted setting ("matcher.clarify_threshold") in the file, or of the nearest section written."""
    line = 1
    node: Any = data
    for key in place.split("."):
        line = line_of(node, key, line)
        node = node.get(key) if isinstance(node, Mapping) else None
    return line


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read `path` (optional) and the environment; relative paths are resolved against the config file's folder."""
    env = os.environ if env is None else env
    data = _read(path) if path is not None else {}

    def at(place: str, line: int | None = None) -> str:
        """`file:line: place` (just `config: place` when there is no file)."""
        if path is None:
            return f"config: {place}"
        return f"{path}:{line if line is not None else _line(data, place)}: {place}"

    base = path.resolve().parent if path is not None else Path.cwd()
    section = data.get("telegram")
    rate_limit = section.get("rate_limit") if isinstance(section, Mapping) else None
    if isinstance(rate_limit, Mapping) and "max_retries" in rate_limit:
        raise ConfigError(
            f"{at('telegram.rate_limit.max_retries')}: retries are set in telegram.retry now (attempts, max_wait)"
        )

    def report(line: int, where: str, message: Issue) -> None:
        raise ConfigError(f"{at(where, line)}: {message}")

    written = conform(data, _ConfigFile, report=report, unknown_key="unknown setting(s) {key} (typo?)")
    assert isinstance(written, _ConfigFile)  # a problem raised above
    matcher, telegram = written.matcher, written.telegram
    if matcher.clarify_threshold > matcher.answer_threshold:
        raise ConfigError(f"{at('matcher.clarify_threshold')}: must not be above answer_threshold")

    secret = env.get("TELEGRAM_WEBHOOK_SECRET") or telegram.webhook.secret_token
    if telegram.webhook.enabled and not secret:
        raise ConfigError(
            f"{at('telegram.webhook.secret_token')}: webhook mode needs a secret token (or TELEGRAM_WEBHOOK_SECRET)"
        )
    base_url = env.get("TELEGRAM_API_BASE_URL") or telegram.base_url
    telegram = replace(
        telegram,
        token=env.get("TELEGRAM_BOT_TOKEN") or telegram.token,
        base_url=base_url,
        webhook=replace(telegram.webhook, secret_token=secret),
        proxy=_proxy(telegram.proxy, base_url, env, at("telegram.proxy")),
    )
    database = Path(env.get("ADVISOR_DB") or written.storage.path)
    return Config(
        knowledge_dir=(base / written.knowledge.path) if written.knowledge.path else DEFAULT_KNOWLEDGE_DIR,
        database=database if database.is_absolute() else base / database,
        matcher=matcher,
        telegram=telegram,
        unmatched_retention_days=written.storage.unmatched_retention_days,
        log_level=written.logging.level.upper(),
    )
