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
    return problems_of(path)


def problems_of(path: Path, *, check_traditional: bool = False) -> str:
    with pytest.raises(KnowledgeError) as caught:
        load_plan_texts(path, check_traditional=check_traditional)
    return str(caught.value)


def test_the_shipped_plan_texts_load_in_every_language() -> None:
    texts = load_plan_texts(SHIPPED, check_traditional=True)
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
    assert "(zh-hant)" not in found  # the derived text is checked by `kb validate` (check_traditional=True) only
    line = line_of(path, "还款计划𪚥")
    traditional = problems_of(path, check_traditional=True)
    assert f"plan.yaml:{line}: chart.title: the chart font cannot draw 𪚥 (zh-hant)" in traditional


def test_the_traditional_form_of_a_chart_label_is_checked_on_request(tmp_path: Path) -> None:
    data = plan_yaml()
    data["chart"]["paid"]["zh-hans"] = "每月还的钱"
    data["chart"]["left"]["en"] = "Still owed 𪚥"
    path = write_plan_texts(tmp_path, data)

    found = problems_of(path, check_traditional=True)

    assert "chart.left: the chart font cannot draw 𪚥 (en)" in found
    assert "chart.paid" not in found  # 每月還的錢, derived, is drawable too


def test_kb_validate_checks_plan_yaml_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_cli import advisor, copy_of_shipped

    folder = copy_of_shipped(tmp_path)
    path = folder / "plan.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  paid_axis:", "  paid_axs:"), encoding="utf-8")

    code, _output = advisor("kb", "validate", str(folder))

    assert code == 1
    err = capsys.readouterr().err
    assert f"plan.yaml:{line_of(path, 'paid_axs:')}: chart: unknown key 'paid_axs'" in err
