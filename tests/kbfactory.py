"""Writes small, valid knowledge folders into tmp_path for tests; each test then breaks or extends one thing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.core.knowledge import REQUIRED_TEXT_KEYS

#: Every text the code asks for; a kbfactory folder has them all, so tests can break one at a time.
TEXT_KEYS = REQUIRED_TEXT_KEYS


def entry(entry_id: str, examples: list[str], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": entry_id,
        "section": "1.1",
        "title": {"zh-hans": f"标题 {entry_id}", "en": f"Title {entry_id}"},
        "answer": {"zh-hans": f"回答 {entry_id}", "en": f"Answer {entry_id}"},
        "examples": examples,
    }
    data.update(extra)
    return data


CREDIT = [
    "逾期会影响征信吗", "花呗逾期上征信吗", "逾期对信用记录有影响吗", "逾期了还能办信用卡吗",
    "逾期会进黑名单吗", "征信花了怎么办", "逾期影响贷款买房吗", "will it hurt my credit score",
]  # fmt: skip
LEGAL = [
    "不还钱会被起诉吗", "逾期会坐牢吗", "会不会被告上法院", "财产会被冻结吗",
    "收到律师函怎么办", "长期不还有什么法律后果", "法院会强制执行吗", "can they sue me",
]  # fmt: skip
NEGOTIATE = [
    "能不能协商延期还款", "可以申请分期还吗", "想跟支付宝协商", "能缓几天再还吗",
    "协商还款怎么申请", "只还利息可以吗", "能减免利息吗", "can I negotiate a longer term",
]  # fmt: skip
REUSE = [
    "还清以后花呗还能用吗", "花呗什么时候恢复", "逾期后额度还有吗", "借呗还能再借吗",
    "花呗被关了怎么开", "还完款多久能用", "额度没了怎么办", "can I use huabei again",
]  # fmt: skip


def default_entries() -> list[dict[str, Any]]:
    """Three topics and one route: what `write_kb` writes unless told otherwise."""
    return [
        entry("impact.credit", CREDIT, keywords=["征信", "信用"], related=["respond.negotiate"]),
        entry("impact.legal", LEGAL, keywords=["起诉", "法院"]),
        entry("respond.negotiate", NEGOTIATE, keywords=["协商", "延期"]),
        entry("route.usage", REUSE, kind="route", keywords=["恢复", "额度"]),
    ]


def write_kb(root: Path, entries: list[dict[str, Any]] | None = None, **files: str) -> Path:
    """A knowledge folder with three topics and one route; `files` overrides any file by relative path."""
    if entries is None:
        entries = default_entries()
    (root / "entries").mkdir(parents=True, exist_ok=True)
    (root / "entries" / "main.yaml").write_text(
        yaml.safe_dump({"entries": entries}, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    texts = {key: {"zh-hans": f"{key} 文本", "en": f"{key} text"} for key in TEXT_KEYS}
    (root / "texts.yaml").write_text(yaml.safe_dump({"texts": texts}, allow_unicode=True), encoding="utf-8")
    aliases = {
        "aliases": {"花呗": ["花贝", "花吧"], "逾期": ["预期"]},
        "fillers": ["请问"],
        "greetings": ["你好", "谢谢"],
        "respell": ["协商", "征信"],
        "generic": ["怎么样", "怎么办", "怎么做", "什么", "今天"],
    }
    (root / "aliases.yaml").write_text(yaml.safe_dump(aliases, allow_unicode=True), encoding="utf-8")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def plan_yaml() -> dict[str, Any]:
    """A valid plan.yaml whose every text is its own key, then `name=value` for each placeholder it may use.

    So a test reads which texts were said, and with which values, without depending on the shipped sentences.
    """
    from bot.core.plantexts import _SECTIONS

    def text(key: str, placeholders: tuple[str, ...]) -> dict[str, str]:
        filled = " ".join(f"{name}={{{name}}}" for name in placeholders)
        return {"zh-hans": f"{key} {filled}".strip(), "en": f"EN {key} {filled}".strip()}

    return {
        section: {key: text(f"{section}.{key}", placeholders) for key, placeholders in keys.items()}
        for section, keys in _SECTIONS.items()
    }


def write_plan_texts(root: Path, data: dict[str, Any] | None = None) -> Path:
    """plan.yaml (by default `plan_yaml()`) in `root`; returns its path."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "plan.yaml"
    path.write_text(yaml.safe_dump(data or plan_yaml(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
