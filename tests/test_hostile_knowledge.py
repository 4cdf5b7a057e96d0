"""Edits that once passed validation and then broke answers, or crashed it: each is refused by `advisor kb validate`
(and so by /reload, which loads the same way) with one `file:line: what to fix` line, quickly and in little memory."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.core.yamlsrc import MAX_FILE_BYTES
from tests.kbfactory import write_runnable_kb


def change(name: str, where: tuple[str | int, ...], value: object) -> Callable[[Path], None]:
    """Set one value of a fixture YAML file, found by its keys and list indexes (`("texts", "related_label", "en")`)."""

    def apply(folder: Path) -> None:
        path = folder / name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        node = data
        for key in where[:-1]:
            node = node[key]
        node[where[-1]] = value
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    return apply


def related_label(zh_hans: str, en: str = "Related: {title}") -> Callable[[Path], None]:
    return change("texts.yaml", ("texts", "related_label"), {"zh-hans": zh_hans, "en": en})


def write(name: str, content: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        (folder / name).write_text(content, encoding="utf-8")

    return apply


def symlink_loop(folder: Path) -> None:
    os.symlink("loop.yaml", folder / "entries" / "loop.yaml")


def folder_named_yaml(folder: Path) -> None:
    (folder / "entries" / "x.yaml").mkdir()


def looping_aliases_file(folder: Path) -> None:
    (folder / "aliases.yaml").unlink()
    os.symlink("aliases.yaml", folder / "aliases.yaml")


def alias_bomb(levels: int) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]")
    return "\n".join(lines) + "\n"


def oversized(folder: Path) -> None:
    padding = "# " + "x" * 98 + "\n"
    (folder / "entries" / "huge.yaml").write_text(padding * (MAX_FILE_BYTES // 100 + 1), encoding="utf-8")


LONG_ID = "impact." + "x" * 65  # 72 characters, as in the issue

CASES = [
    pytest.param(related_label("相关：{titel}"), "texts.yaml", "{titel} is not available",
                 id="misspelt-placeholder"),
    pytest.param(related_label("相关：{title"), "texts.yaml", "unbalanced",
                 id="stray-brace-in-related-label"),
    pytest.param(related_label("相关：{title}", "Related: {title.upper}"), "texts.yaml",
                 "is not available", id="attribute-in-placeholder"),
    pytest.param(related_label("相关：{title}", "Related: {title!r}"), "texts.yaml", "plainly",
                 id="conversion-in-placeholder"),
    pytest.param(change("entries/main.yaml", ("entries", 0, "related"), [LONG_ID]),
                 "entries/main.yaml", "unknown id", id="over-long-id-in-related"),
    pytest.param(change("entries/main.yaml", ("entries", 3, "id"), LONG_ID),
                 "entries/main.yaml", "characters; shorten it", id="over-long-entry-id"),
    pytest.param(change("entries/main.yaml", ("entries", 0, "title", "zh-hans"), "长" * 5000),
                 "entries/main.yaml", "title.zh-hans has 5,000 characters", id="5000-character-title"),
    pytest.param(write("aliases.yaml", ""), "aliases.yaml", "the file is empty", id="empty-aliases"),
    pytest.param(symlink_loop, "entries/loop.yaml", "symbolic link that leads back", id="symlink-loop"),
    pytest.param(looping_aliases_file, "aliases.yaml", "symbolic link that leads back", id="looping-aliases-file"),
    pytest.param(folder_named_yaml, "entries/x.yaml", "is a folder", id="folder-named-x-yaml"),
    pytest.param(write("entries/bomb.yaml", alias_bomb(7)), "entries/bomb.yaml", "aliases", id="alias-bomb-10-to-7"),
    pytest.param(write("entries/bomb.yaml", alias_bomb(9)), "entries/bomb.yaml", "aliases", id="alias-bomb-10-to-9"),
    pytest.param(write("entries/loop.yaml", "a: &a [1, *a]\n"), "entries/loop.yaml", "inside", id="recursive-alias"),
    pytest.param(oversized, "entries/huge.yaml", "split it", id="file-over-the-size-limit"),
]  # fmt: skip


@pytest.mark.parametrize(("break_it", "file", "says"), CASES)
def test_a_hostile_or_mistaken_edit_is_one_line_to_fix(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    break_it: Callable[[Path], None],
    file: str,
    says: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = write_runnable_kb(tmp_path / "knowledge")
    break_it(folder)

    started = time.perf_counter()
    code = main(["kb", "validate", str(folder)], io.StringIO())
    elapsed = time.perf_counter() - started

    head, *problems = capsys.readouterr().err.splitlines()
    assert code == 1
    assert head == "1 problem in the knowledge base"
    [problem] = problems
    assert problem.startswith(f"{file}:")
    assert problem.split(":")[1].isdigit()
    assert says in problem
    assert len(problem) < 300
    assert elapsed < 10
