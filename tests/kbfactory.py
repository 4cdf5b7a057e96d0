"""Writes small, valid knowledge folders into tmp_path for tests; each test then breaks or extends one thing."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.core.knowledge import REQUIRED_TEXT_KEYS, TOOL_TEXTS

#: Every text the code asks for; a kbfactory folder has them all, so tests can break one at a time.
TEXT_KEYS = REQUIRED_TEXT_KEYS


#: YAML already written this session, by the repr of what was dumped and how.
_DUMPED: dict[str, str] = {}


def dump_yaml(data: Any, **options: Any) -> str:
    """`yaml.safe_dump(data, allow_unicode=True, **options)`, remembered by content: most tests write the same few
    files, and emitting YAML is most of what writing them costs. (The data here is plain dicts, lists, strings and
    numbers, whose repr tells apart everything YAML would write differently.)"""
    options = {"allow_unicode": True, **options}
    key = repr((data, sorted(options.items())))
    if key not in _DUMPED:
        _DUMPED[key] = yaml.safe_dump(data, **options)
    return _DUMPED[key]


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
    "逾期了征信会受影响吗", "花呗逾期了上不上征信", "逾期对信用记录有影响吗", "逾期了还能办信用卡吗",
    "逾期会进黑名单吗", "征信花了怎么办", "逾期影响贷款买房吗", "will it hurt my credit score",
]  # fmt: skip
LEGAL = [
    "不还钱会被起诉吗", "逾期会坐牢吗", "会不会被告上法院", "财产会被冻结吗",
    "收到律师函怎么办", "长期不还法律上有什么后果", "法院会强制执行吗", "can they sue me",
]  # fmt: skip
NEGOTIATE = [
    "能不能协商延期还款", "可以申请分期还吗", "想跟支付宝协商", "能缓几天再还吗",
    "协商还款怎么申请", "只还利息可以吗", "能减免利息吗", "can I negotiate a longer term",
]  # fmt: skip
REUSE = [
    "还清以后花呗还能用吗", "花呗多久可以恢复", "逾期后额度还有吗", "借呗还能再借吗",
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


def tool_text(key: str) -> dict[str, str]:
    """A tools.yaml text naming its key and showing every placeholder it may use, so tests can read the values."""
    filled = " ".join(f"{name}=[{{{name}}}]" for name in TOOL_TEXTS[key])
    return {"zh-hans": f"{key} 文本 {filled}".strip(), "en": f"{key} text {filled}".strip()}


def fill_texts(folder: Path, filled: Mapping[str, str]) -> Path:
    """The knowledge folder's texts.yaml with some texts filled (the zh-hans wording as given, the English "en "
    before it) and the others naming their key, as `write_kb` writes them; returns the folder."""
    texts = {key: {"zh-hans": f"{key} 文本", "en": f"{key} text"} for key in TEXT_KEYS}
    texts.update({key: {"zh-hans": value, "en": f"en {value}"} for key, value in filled.items()})
    (folder / "texts.yaml").write_text(dump_yaml({"texts": texts}), encoding="utf-8")
    return folder


def write_kb(root: Path, entries: list[dict[str, Any]] | None = None, **files: str) -> Path:
    """A knowledge folder with three topics and one route; `files` overrides any file by relative path."""
    if entries is None:
        entries = default_entries()
    (root / "entries").mkdir(parents=True, exist_ok=True)
    (root / "entries" / "main.yaml").write_text(
        dump_yaml({"entries": entries}, sort_keys=False), encoding="utf-8"
    )
    texts = {key: {"zh-hans": f"{key} 文本", "en": f"{key} text"} for key in TEXT_KEYS}
    (root / "texts.yaml").write_text(dump_yaml({"texts": texts}), encoding="utf-8")
    tools = {key: tool_text(key) for key in TOOL_TEXTS}
    (root / "tools.yaml").write_text(dump_yaml({"texts": tools}), encoding="utf-8")
    aliases = {
        "aliases": {"花呗": ["花贝", "花吧"], "逾期": ["预期"]},
        "fillers": ["请问"],
        "greetings": ["你好", "谢谢"],
        "respell": ["协商", "征信"],
        "generic": ["怎么样", "怎么办", "怎么做", "什么", "今天"],
    }
    (root / "aliases.yaml").write_text(dump_yaml(aliases), encoding="utf-8")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


# --- A small walkthrough.yaml, generated from the shape bot/core/walkthrough/shapes.py declares -------------------


def fixture_text(key: str, placeholders: tuple[str, ...] = ()) -> dict[str, str]:
    """A text whose words are its own key, so tests assert which text was shown, not how it is worded.

    zh-hans "‹steps.days.typed n={n}›", en "‹en steps.days.typed n={n}›": what a test sees names the text and the
    values filled in.
    """
    filled = "".join(f" {name}={{{name}}}" for name in placeholders)
    return {"zh-hans": f"‹{key}{filled}›", "en": f"‹en {key}{filled}›"}


def _option(option_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": option_id, "label": {"zh-hans": f"«{option_id}»", "en": f"«en {option_id}»"}, **extra}


def _texted(option_id: str, *texts: str, **extra: Any) -> dict[str, Any]:
    return _option(option_id, **{name: fixture_text(f"{option_id}.{name}") for name in texts}, **extra)


#: The options of the fixture walkthrough: the shipped ids the engine tests press, fewer of them, labelled «id».
FIXTURE_OPTIONS: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "product": ("options", [_option("huabei"), _option("jiebei"), _option("both", also=["两个都有", "both"])]),
    "days": (
        "options",
        [_option("not_yet", min=0, max=0), _option("d1_30", min=1, max=30), _option("d31_plus", min=31)],
    ),
    "amount": ("options", [_option("under_1k", min=0, max=999), _option("k1_plus", min=1000)]),
    "cause": (
        "options",
        [
            _texted("income_drop", "reason", also=["单少了", "cut my salary"]),
            _texted("budgeting", "reason"),
            _texted("missed_notice", "reason", "before_due"),
        ],
    ),
    "materials": (
        "items",
        [
            _option("id_card"),
            _option("bank_statements"),
            _option("income_drop_proof", causes=["income_drop"]),
            _texted("repayment_plan", "script", causes=["budgeting"]),
        ],
    ),
    "channel": (
        "options",
        [_texted("app", "how", "greeting"), _texted("hotline", "how", "greeting", also=["打电话", "call"])],
    ),
    "requests": (
        "options",
        [_option("longer_term"), _option("reduce_interest", also=["利息"]), _option("instalments", also=["分期"])],
    ),
    "monthly": ("options", [_option("unknown")]),
    "result": (
        "options",
        [
            _option("agreed", also=["同意", "谈好", "agree"]),
            _option("refused", also=["不同意", "didn t agree"]),
            _option("waiting", also=["还没谈好"]),
            _option("unaffordable", also=["还不起", "can't afford"]),
        ],
    ),
}


def walkthrough_data() -> dict[str, Any]:
    """Every text the code asks for, named by its key, and the FIXTURE_OPTIONS."""
    from bot.core.walkthrough import SECTIONS, STEPS

    data: dict[str, Any] = {
        section: {key: fixture_text(f"{section}.{key}", names) for key, names in keys.items()}
        for section, keys in SECTIONS.items()
    }
    data["marks"] = {"checked": "[x]", "unchecked": "[ ]", "chosen": "*"}
    data["dont_know"] = ["不知道", "不清楚", "idk", "don't know"]
    data["unsure"] = ["看情况", "一半一半", "大概吧", "it depends"]
    data["yes_words"] = ["对", "好的", "yes"]
    data["no_words"] = ["不要", "算了", "no"]
    data["corrections"] = ["不对", "刚才说错了", "actually"]
    data["said_moves"] = {
        "back": ["返回", "返回上一步", "我写错了", "go back"],
        "skip": ["跳过这个"],
        "pause": ["暂停"],
        "cancel": ["不弄了"],
        "restart": ["重新来"],
        "resume": ["我回来了", "i'm back"],
    }
    data["not_in_writing"] = ["没给书面", "口头", "not in writing"]
    data["steps"] = {}
    for step, (keys, option_list) in STEPS.items():
        node: dict[str, Any] = {key: fixture_text(f"steps.{step}.{key}", names) for key, names in keys.items()}
        if option_list is not None:
            list_key, items = FIXTURE_OPTIONS[step]
            node[list_key] = items
        data["steps"][step] = node
    return data


def write_walkthrough(root: Path, data: dict[str, Any] | None = None) -> Path:
    """walkthrough.yaml in `root` (the fixture one unless `data` is given); returns its path."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "walkthrough.yaml"
    path.write_text(
        dump_yaml(data or walkthrough_data(), sort_keys=False, width=1000), encoding="utf-8"
    )
    return path


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
    path.write_text(dump_yaml(data or plan_yaml(), sort_keys=False), encoding="utf-8")
    return path


def runnable_entries() -> list[dict[str, Any]]:
    """`default_entries()` plus a stand-in for every entry the code requires by id, each with eight examples of its own
    ("问题一 about.loans"): enough for `Knowledge.load`, so a whole bot can run on fixture knowledge."""
    from bot.core.knowledge import REQUIRED_ENTRY_IDS

    entries = default_entries()
    present = {e["id"] for e in entries}
    entries += [
        entry(entry_id, [f"问题{n} {entry_id}" for n in "一二三四五六七八"])
        for entry_id in REQUIRED_ENTRY_IDS
        if entry_id not in present
    ]
    return entries


def write_runnable_kb(root: Path) -> Path:
    """A knowledge folder a bot starts on (`Knowledge.load`, `advisor run`): fixture entries, texts, walkthrough and
    plan texts, every sentence named by its key, so tests read which text was said and not how it is worded."""
    write_kb(root, runnable_entries())
    write_walkthrough(root)
    write_plan_texts(root)
    return root
