"""Configuration: config.yaml and the environment read once into a frozen value; every mistake named precisely."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR, Config, MatcherConfig, load_config
from bot.errors import ConfigError

#: Made up, shaped like a real token (digits, a colon, letters).
TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_file_or_environment_everything_has_a_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None, env={})
    assert config.knowledge_dir == DEFAULT_KNOWLEDGE_DIR
    assert (DEFAULT_KNOWLEDGE_DIR / "texts.yaml").is_file()
    assert config.database == tmp_path / "advisor.sqlite3"
    assert config.matcher == MatcherConfig()
    assert config.telegram.token == ""
    assert config.telegram.base_url == ""
    assert config.telegram.admin_ids == ()
    assert not config.telegram.webhook.enabled
    assert (config.unmatched_retention_days, config.log_level) == (90, "INFO")


def test_an_empty_file_means_the_defaults_beside_it(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "# nothing set yet\n"), env={})
    assert config.database == tmp_path / "advisor.sqlite3"
    assert config.matcher == MatcherConfig()


def test_settings_from_the_file_with_paths_relative_to_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "knowledge: {path: kb}\n"
        "storage: {path: data/bot.sqlite3, unmatched_retention_days: 30}\n"
        "matcher: {answer_threshold: 1, clarify_threshold: 0.5, majority_margin: 0.4, max_candidates: 4}\n"
        "telegram: {admin_ids: [42, 7], poll_timeout: 10, webhook: {url: 'https://example.org/hook', "
        "secret_token: s3cret-value}}\n"
        "logging: {level: debug}\n",
    )
    config = load_config(path, env={})
    assert config.knowledge_dir == tmp_path / "kb"
    assert config.database == tmp_path / "data" / "bot.sqlite3"
    assert config.unmatched_retention_days == 30
    assert config.matcher.answer_threshold == 1.0
    assert isinstance(config.matcher.answer_threshold, float)  # a whole number in YAML is still a threshold
    assert (config.matcher.clarify_threshold, config.matcher.max_candidates) == (0.5, 4)
    assert config.matcher.majority_margin == 0.4
    assert config.telegram.admin_ids == (42, 7)
    assert config.telegram.poll_timeout == 10
    assert config.telegram.webhook.enabled
    assert config.log_level == "DEBUG"


def test_the_result_is_frozen(tmp_path: Path) -> None:
    config = load_config(None, env={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.log_level = "DEBUG"  # type: ignore[misc]


# -- the environment -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "read"),
    [
        pytest.param("TELEGRAM_BOT_TOKEN", TOKEN, lambda c: c.telegram.token, id="bot-token"),
        pytest.param(
            "TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot", lambda c: c.telegram.base_url, id="api-base-url"
        ),
        pytest.param("TELEGRAM_WEBHOOK_SECRET", "from-env", lambda c: c.telegram.webhook.secret_token, id="secret"),
    ],
)
def test_the_environment_overrides_the_file(tmp_path: Path, variable: str, value: str, read) -> None:
    path = write(
        tmp_path,
        "telegram: {token: 'file:token', base_url: 'http://file.example/bot', webhook: {secret_token: from-file}}\n",
    )
    assert read(load_config(path, env={variable: value})) == value
    assert read(load_config(path, env={variable: ""})) != value  # set but empty: the file's value stays


def test_advisor_db_overrides_the_storage_path(tmp_path: Path) -> None:
    path = write(tmp_path, "storage: {path: from-file.sqlite3}\n")
    elsewhere = tmp_path / "elsewhere" / "db.sqlite3"
    assert load_config(path, env={"ADVISOR_DB": str(elsewhere)}).database == elsewhere
    assert load_config(path, env={}).database == tmp_path / "from-file.sqlite3"


def test_the_token_can_come_from_the_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, f"telegram: {{token: '{TOKEN}'}}\n"), env={})
    assert config.telegram.token == TOKEN


# -- mistakes ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        pytest.param("matchr: {}\n", "matchr", id="top-level"),
        pytest.param("matcher: {answer_treshold: 0.5}\n", "matcher: unknown setting(s) answer_treshold", id="section"),
        pytest.param("telegram: {webhook: {secret: x}}\n", "telegram.webhook: unknown setting(s) secret", id="nested"),
    ],
)
def test_an_unknown_key_is_named(tmp_path: Path, text: str, named: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match="unknown setting") as error:
        load_config(path, env={})
    assert str(error.value).startswith(f"{path}:1: ")
    assert named in str(error.value)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param("matcher: {answer_threshold: high}\n", "matcher.answer_threshold", id="text-for-a-number"),
        pytest.param("matcher: {max_candidates: 2.5}\n", "matcher.max_candidates", id="fraction-for-a-count"),
        pytest.param("storage: {unmatched_retention_days: yes}\n", "storage.unmatched_retention_days", id="bool"),
        pytest.param("telegram: {poll_timeout: 30s}\n", "telegram.poll_timeout", id="unit-in-a-number"),
        pytest.param("telegram: {admin_ids: 42}\n", "telegram.admin_ids", id="one-id-not-a-list"),
        pytest.param("telegram: {webhook: {port: '8443'}}\n", "telegram.webhook.port", id="quoted-port"),
        pytest.param("knowledge: {path: 5}\n", "knowledge.path", id="number-for-a-path"),
        pytest.param("logging: {level: loud}\n", "logging.level", id="unknown-log-level"),
        pytest.param("matcher: {answer_threshold: 3}\n", "matcher.answer_threshold", id="threshold-out-of-range"),
        pytest.param("matcher: {majority_margin: -0.1}\n", "matcher.majority_margin", id="negative-margin"),
        pytest.param(
            "matcher: {answer_threshold: 0.3, clarify_threshold: 0.5}\n", "matcher.clarify_threshold", id="inverted"
        ),
        pytest.param("telegram: {webhook: {url: 'https://x'}}\n", "telegram.webhook.secret_token", id="no-secret"),
    ],
)
def test_a_wrong_value_names_file_section_and_key(tmp_path: Path, text: str, where: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path, env={})
    assert str(error.value).startswith(f"{path}:1: {where}")


@pytest.mark.parametrize(
    ("text", "line", "where"),
    [
        pytest.param("storage:\n  path: x\nmatcher:\n  margin: 0.1\n  max_candidates: 9\n", 5,
                     "matcher.max_candidates", id="value"),
        pytest.param("matcher:\n  margin: 0.1\n\n  answer_treshold: 0.5\n", 4, "matcher", id="unknown-key"),
        pytest.param("matcher:\n  answer_threshold: 0.3\n  clarify_threshold: 0.5\n", 3,
                     "matcher.clarify_threshold", id="across-settings"),
        pytest.param("telegram:\n  webhook:\n    url: https://x\n", 3, "telegram.webhook.secret_token",
                     id="missing-setting-at-its-section"),
    ],
)  # fmt: skip
def test_a_wrong_setting_is_named_with_its_line(tmp_path: Path, text: str, line: int, where: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path, env={})
    assert str(error.value).startswith(f"{path}:{line}: {where}")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param("matcher: 0.5\n", "matcher: expected a mapping", id="section-not-a-mapping"),
        pytest.param("- a\n- list\n", "expected a mapping of settings at the top level", id="top-level-list"),
        pytest.param("matcher: {answer_threshold: [\n", "not valid YAML", id="not-yaml"),
    ],
)
def test_a_malformed_file_is_explained(tmp_path: Path, text: str, says: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=says) as error:
        load_config(path, env={})
    assert str(error.value).startswith(str(path))


def test_a_missing_file_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config\.example\.yaml"):
        load_config(tmp_path / "nowhere.yaml", env={})


# -- secrets -------------------------------------------------------------------------------------------------------


def test_the_token_and_webhook_secret_never_appear_in_the_config_printed(tmp_path: Path) -> None:
    path = write(tmp_path, "telegram: {webhook: {url: 'https://example.org/hook', secret_token: hook-secret-42}}\n")
    config = load_config(path, env={"TELEGRAM_BOT_TOKEN": TOKEN})
    assert config.telegram.token == TOKEN
    for shown in (repr(config), str(config), repr(config.telegram), repr(config.telegram.webhook)):
        assert TOKEN not in shown
        assert "AAFakeToken" not in shown
        assert "hook-secret-42" not in shown
    assert "token" not in repr(Config())  # not even the empty default is listed


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("telegram: {token: 123456789}\n", id="a-token-yaml-reads-as-a-number"),
        pytest.param("telegram: {webhook: {url: 'https://x', secret_token: 987654321}}\n", id="a-numeric-secret"),
        pytest.param("telegram:\n  token: '123456789:AAsecret\n  base_url: x\n", id="a-token-with-a-broken-quote"),
    ],
)
def test_a_secret_with_a_mistake_is_not_repeated_in_the_error(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path, env={})
    message = str(error.value)
    assert "123456789" not in message
    assert "987654321" not in message
    assert "AAsecret" not in message
    assert message.startswith(str(path))


def test_a_yaml_mistake_points_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "storage: {path: db.sqlite3}\nmatcher:\n  answer_threshold: [0.5\n")
    with pytest.raises(ConfigError, match=r"not valid YAML") as error:
        load_config(path, env={})
    assert re.match(rf"{re.escape(str(path))}:[34]: ", str(error.value))


# -- proxy and retries ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        pytest.param("", {}, "", id="none-by-default"),
        pytest.param("telegram: {proxy: 'socks5h://127.0.0.1:1080'}\n", {}, "socks5h://127.0.0.1:1080", id="config"),
        pytest.param("", {"HTTPS_PROXY": "http://10.0.0.1:3128"}, "http://10.0.0.1:3128", id="https-proxy-env"),
        pytest.param("", {"all_proxy": "socks5://127.0.0.1:7890"}, "socks5://127.0.0.1:7890", id="all-proxy-env"),
        pytest.param(
            "telegram: {proxy: 'http://127.0.0.1:8080'}\n",
            {"HTTPS_PROXY": "http://10.0.0.1:3128"},
            "http://127.0.0.1:8080",
            id="config-wins-over-env",
        ),
        pytest.param(
            "", {"HTTPS_PROXY": "http://10.0.0.1:3128", "NO_PROXY": "localhost,.telegram.org"}, "", id="no-proxy-host"
        ),
        pytest.param(
            "telegram: {base_url: 'http://127.0.0.1:8081/bot'}\n",
            {"HTTPS_PROXY": "http://10.0.0.1:3128"},
            "",
            id="https-proxy-not-for-a-plain-http-server",
        ),
    ],
)
def test_the_proxy_comes_from_the_config_or_the_usual_variables(
    tmp_path: Path, text: str, env: dict[str, str], expected: str
) -> None:
    assert load_config(write(tmp_path, text), env=env).telegram.proxy == expected


@pytest.mark.parametrize(
    ("url", "says"),
    [
        pytest.param("ftp://127.0.0.1:21", "not supported", id="unknown-scheme"),
        pytest.param("127.0.0.1:1080", "not supported", id="no-scheme"),
        pytest.param("socks5://127.0.0.1", "host and a port", id="no-port"),
        pytest.param("http://:8080", "host and a port", id="no-host"),
        pytest.param("http://127.0.0.1:99999", "not a proxy URL", id="port-out-of-range"),
        pytest.param("http://127.0.0.1:8080/path", "nothing more", id="a-path"),
    ],
)
def test_a_wrong_proxy_is_named_and_its_password_is_not_repeated(tmp_path: Path, url: str, says: str) -> None:
    secret_url = url.replace("://", "://agent:Pa55word@", 1) if "://" in url else url
    with pytest.raises(ConfigError, match=says) as error:
        load_config(write(tmp_path, f"telegram: {{proxy: '{secret_url}'}}\n"), env={})
    assert "telegram.proxy" in str(error.value)
    assert "Pa55word" not in str(error.value)


def test_a_proxy_password_never_appears_in_the_config_printed(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "telegram: {proxy: 'http://agent:Pa55word@127.0.0.1:8080'}\n"), env={})
    assert config.telegram.proxy == "http://agent:Pa55word@127.0.0.1:8080"
    assert "Pa55word" not in repr(config)


def test_retries_are_set_in_one_place(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "telegram: {retry: {attempts: 2, max_wait: 5}}\n"), env={})
    assert (config.telegram.retry.attempts, config.telegram.retry.max_wait) == (2, 5.0)
    with pytest.raises(ConfigError, match=r"telegram.rate_limit.max_retries: retries are set in telegram.retry"):
        load_config(write(tmp_path, "telegram: {rate_limit: {max_retries: 3}}\n"), env={})
    with pytest.raises(ConfigError, match=r"telegram.retry.attempts: must be between 1"):
        load_config(write(tmp_path, "telegram: {retry: {attempts: 0}}\n"), env={})


def test_the_message_budget_defaults_to_a_burst_of_ten_then_one_a_second_and_can_be_switched_off(
    tmp_path: Path,
) -> None:
    default = load_config(None, env={}).telegram.flood
    assert (default.burst, default.per_second) == (10, 1.0)
    off = load_config(write(tmp_path, "telegram:\n  flood: {burst: 0, per_second: 0}\n"), env={}).telegram.flood
    assert (off.burst, off.per_second) == (0, 0.0)
    with pytest.raises(ConfigError, match=r"telegram\.flood"):
        load_config(write(tmp_path, "telegram:\n  flood: {burst: -1}\n"), env={})


# -- defaults ------------------------------------------------------------------------------------------------------


def test_the_defaults_are_written_once_and_the_example_file_shows_them(tmp_path: Path) -> None:
    """config.example.yaml writes out every default; loading it is loading nothing, and nothing is Config()."""
    example = Path(__file__).resolve().parents[1] / "config.example.yaml"
    empty = load_config(write(tmp_path, ""), env={})
    assert load_config(example, env={}) == dataclasses.replace(empty, database=example.parent / "advisor.sqlite3")
    assert dataclasses.replace(empty, database=Config().database) == Config()


def test_the_load_bench_cache_off_settings_differ_from_the_usual_ones_only_in_the_match_cache() -> None:
    bench = Path(__file__).resolve().parent.parent / "bench"
    usual = load_config(bench / "advisor-bench.yaml", env={})
    cache_off = load_config(bench / "advisor-bench-nocache.yaml", env={})
    assert cache_off.matcher.cache_size == 0 < usual.matcher.cache_size
    assert dataclasses.replace(cache_off, matcher=usual.matcher) == usual
