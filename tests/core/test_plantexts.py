"""plan.yaml validation: every problem at once with its line, placeholders checked, chart labels drawable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.i18n import Lang
from bot.core.plantexts import load_plan_texts
from bot.errors import KnowledgeError
from tests.kbfactory import plan_yaml, write_plan_texts

SHIPPED = Path(__file__).resolve().parents[2] / "knowledge" / "plan.yaml"


def line_of(path: Path, fragment: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if fragment in line)


def problems(path: Path) -> str:
    with pytest.raises(KnowledgeError) as caught:
        load_plan_texts(path)
    return str(caught.value)


def test_the_shipped_plan_texts_load_in_every_language() -> None:
    texts = load_plan_texts(SHIPPED)
    for lang in Lang:
        assert texts.say("verdicts.instead", lang, amount="2,500", months=12)
        assert texts.say("chart.title", lang)


def test_a_missing_text_and_an_unknown_placeholder_are_both_reported(tmp_path: Path) -> None:
    data = plan_yaml()
    del data["questions"]["income"]
    data["verdicts"]["fits"]["en"] = "Done in {weeks} weeks"
    path = write_plan_texts(tmp_path, data)

    found = problems(path)

    assert f"plan.yaml:{line_of(path, 'questions:')}: questions: the key 'income' is missing" in found
    assert f"plan.yaml:{line_of(path, 'Done in')}: verdicts.fits.en: {{weeks}} is not available here" in found


def test_a_chart_label_the_font_cannot_draw_is_refused_by_name(tmp_path: Path) -> None:
    data = plan_yaml()
    data["chart"]["title"]["zh-hans"] = "还款计划𪚥"  # a rare character the bundled subset does not have
    path = write_plan_texts(tmp_path, data)

    found = problems(path)

    assert f"plan.yaml:{line_of(path, '还款计划𪚥')}: chart.title: the chart font cannot draw 𪚥 (zh-hans)" in found


def test_the_traditional_form_of_a_chart_label_is_checked_too(tmp_path: Path) -> None:
    data = plan_yaml()
    data["chart"]["paid"]["zh-hans"] = "每月还款"
    path = write_plan_texts(tmp_path, data)
    texts = load_plan_texts(path)
    assert texts.say("chart.paid", Lang.ZH_HANT) == "每月還款"  # derived, and drawable: it loaded


def test_kb_validate_checks_plan_yaml_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_cli import advisor, copy_of_shipped

    folder = copy_of_shipped(tmp_path)
    path = folder / "plan.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  paid_axis:", "  paid_axs:"), encoding="utf-8")

    code, _output = advisor("kb", "validate", str(folder))

    assert code == 1
    err = capsys.readouterr().err
    assert f"plan.yaml:{line_of(path, 'paid_axs:')}: chart: unknown key 'paid_axs'" in err
