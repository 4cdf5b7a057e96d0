"""The negotiation diary and its export through the engine and `advisor chat`; the export read back with pypdf."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bot.chat import run_chat
from bot.config import Config, load_config
from bot.core.advisor import Advisor
from bot.core.flow import AGREED, Step
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.plan import Inputs
from bot.core.planchat import PlanState, result_reply
from bot.core.progress import Progress
from bot.core.walkthrough import Option, load_walkthrough
from bot.engine import Engine, Knowledge
from bot.storage import Session, Storage
from tests.kbfactory import write_kb
from tests.transcript import EngineUser, fixture_knowledge

SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"
ZH = Lang.ZH_HANS
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()


def pdf_text(data: bytes) -> str:
    """Everything a PDF reader extracts, whitespace squeezed out (lines may break anywhere in Chinese)."""
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    # pypdf decodes fpdf2's two-byte glyph codes with a NUL before each character (poppler's pdftotext does not)
    return re.sub(r"\s+", "", text.replace("\x00", ""))


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    """Built once for the module: the bot shares one immutable Knowledge between all its users too."""
    return fixture_knowledge(tmp_path_factory.mktemp("kb"))


class Person(EngineUser):
    def __init__(self, engine: Engine, user_id: int = 9) -> None:
        super().__init__(engine, user_id)


async def log(user: Person, day: str, channel: str, who: str | None, said: str) -> None:
    await user.says("/log")
    assert user.text == "diary_ask_day 文本"
    if day in ("d:day:0", "d:day:1"):
        await user.presses(day)
    else:
        await user.says(day)
    assert user.text == "diary_ask_channel 文本"
    await user.presses(f"d:ch:{channel}")
    assert user.text == "diary_ask_who 文本"
    if who is None:
        await user.presses("d:skip")
    else:
        await user.says(who)
    assert user.text == "diary_ask_said 文本"
    await user.says(said)
    assert user.replies[0].text == "diary_saved 文本"


async def test_contacts_are_recorded_listed_and_deleted(knowledge: Knowledge, storage: Storage) -> None:
    user = Person(Engine(knowledge, storage, clock=lambda: NOW))
    await log(user, "d:day:1", "phone", "客服 8842", "答应分 12 期还款")
    await log(user, "1月5日", "letter", None, "寄出协商申请")
    listing = user.replies[-1]
    assert listing.text.startswith("diary_list 文本 entries=[")
    assert "1. 2026-01-05 · diary_channel_letter 文本\n    寄出协商申请" in listing.text  # oldest first
    assert "2. 2026-03-09 · diary_channel_phone 文本 · 客服 8842\n    答应分 12 期还款" in listing.text
    rows = await storage.diary(user.user_id)
    assert [(r.day, r.channel, r.who, r.said) for r in rows] == [
        ("2026-01-05", "letter", None, "寄出协商申请"),
        ("2026-03-09", "phone", "客服 8842", "答应分 12 期还款"),
    ]
    assert user.actions[:2] == [f"d:x:{rows[0].id}", f"d:x:{rows[1].id}"]

    await user.presses(f"d:x:{rows[0].id}")
    assert user.replies[0].text == "diary_deleted 文本"
    assert [r.said for r in await storage.diary(user.user_id)] == ["答应分 12 期还款"]


async def test_a_wrong_answer_is_asked_again_and_a_command_abandons_the_entry(
    knowledge: Knowledge, storage: Storage
) -> None:
    user = Person(Engine(knowledge, storage, clock=lambda: NOW))
    await user.says("/log")
    await user.says("下周三")
    assert user.text == "diary_bad_day 文本 max=[1000]\ndiary_ask_day 文本"
    await user.says("2026-04-01")
    assert user.replies[0].text == "diary_future_day 文本 max=[1000]"
    await user.presses("d:day:0")
    await user.says("电话")  # the channel is chosen from buttons
    assert user.replies[0].text.startswith("diary_use_buttons")
    await user.says("/help")
    await user.says("电话里答应了分期")  # a question now: nothing recorded
    assert await storage.diary(user.user_id) == []


async def test_the_export_holds_the_terms_and_every_entry(knowledge: Knowledge, storage: Storage) -> None:
    engine = Engine(knowledge, storage, clock=lambda: NOW)
    user = Person(engine)
    terms = "分12期，每期1250元，每月15日还款；免除罚息"
    await storage.save_session(
        Session(user.user_id, state={"guide": Progress(step=Step.REPAY, result=AGREED, terms=terms).to_saved()})
    )
    await log(user, "d:day:0", "app", "在线客服", "同意停催 30 天")
    await log(user, "2026-02-01", "visit", "張先生", "Promised a written confirmation 書面確認")

    [sent] = await user.says("/export")
    assert sent.text == "export_sent 文本 contents=[export_has_diary 文本 count=[2]export_list_separator 文本" \
        "export_has_terms 文本]"
    assert sent.attachment is not None
    assert sent.attachment.filename == "negotiation-record-2026-03-10.pdf"
    assert sent.attachment.mime == "application/pdf"
    text = pdf_text(sent.attachment.data)
    for expected in (terms, "同意停催30天", "在线客服", "張先生", "Promisedawrittenconfirmation書面確認", "2026-02-01"):
        assert re.sub(r"\s+", "", expected) in text
    assert text.index("張先生") < text.index("在线客服")  # oldest contact first


async def test_an_export_with_nothing_recorded_says_so(knowledge: Knowledge, storage: Storage) -> None:
    user = Person(Engine(knowledge, storage, clock=lambda: NOW))
    [sent] = await user.says("/export")
    assert sent.text == "export_sent_empty 文本"  # no contacts or terms promised that are not there
    assert sent.attachment is not None
    text = pdf_text(sent.attachment.data)
    assert "export_terms_none" in text
    assert "export_diary_none" in text


def facts_section(text: str) -> str:
    """The part of an exported PDF's text between the situation's heading and the terms' heading."""
    return text[text.index("export_facts_heading") : text.index("export_terms_heading")]


def summary_label(knowledge: Knowledge, key: str) -> str:
    """The words the walkthrough's summary puts before one fact, squeezed as pdf_text squeezes them."""
    return re.sub(r"\s+", "", knowledge.walkthrough.say(f"summary.{key}", ZH, value=""))


def label(options: tuple[Option, ...], option_id: str) -> str:
    return re.sub(r"\s+", "", next(o for o in options if o.id == option_id).label.render(ZH))


async def test_the_export_message_names_only_what_the_file_holds(knowledge: Knowledge, storage: Storage) -> None:
    user = Person(Engine(knowledge, storage, clock=lambda: NOW))
    await log(user, "d:day:0", "phone", None, "说下周回电")
    [sent] = await user.says("/export")
    assert sent.text == "export_sent 文本 contents=[export_has_diary 文本 count=[1]]"  # contacts, and no terms


async def test_the_export_holds_the_situation_given_in_the_walkthrough(knowledge: Knowledge, storage: Storage) -> None:
    """The first-user trial: the PDF left out the product, days, amount, cause and requests the user had given."""
    user = Person(Engine(knowledge, storage, clock=lambda: NOW))
    walk = Progress(
        step=Step.REPAY, product="jiebei", days="d31_plus", days_typed=120, amount="k1_plus", amount_typed=35000,
        cause="income_drop", requests=("longer_term", "instalments"), result=AGREED, terms="分12期",
    )  # fmt: skip
    await storage.save_session(Session(user.user_id, state={"guide": walk.to_saved()}))
    [sent] = await user.says("/export")
    assert sent.attachment is not None
    facts = facts_section(pdf_text(sent.attachment.data))
    at = [facts.find(summary_label(knowledge, key)) for key in ("product", "days", "amount", "cause", "requests")]
    assert -1 not in at
    assert at == sorted(at)  # in the summary's order
    w = knowledge.walkthrough
    for given in (label(w.products, "jiebei"), "120", "35000", label(w.causes, "income_drop"),
                  label(w.requests, "longer_term"), label(w.requests, "instalments")):  # fmt: skip
        assert given in facts
    assert summary_label(knowledge, "monthly") not in facts  # the five facts the trial asked for, no more


async def test_the_export_leaves_out_what_the_walkthrough_was_not_told(knowledge: Knowledge, storage: Storage) -> None:
    user = Person(Engine(knowledge, storage, clock=lambda: NOW))
    walk = Progress(step=Step.CAUSE, product="huabei")  # the days and the amount skipped
    await storage.save_session(Session(user.user_id, state={"guide": walk.to_saved()}))
    [sent] = await user.says("/export")
    assert sent.attachment is not None
    facts = facts_section(pdf_text(sent.attachment.data))
    assert summary_label(knowledge, "product") in facts
    for left_out in ("days", "amount", "cause", "requests"):
        assert summary_label(knowledge, left_out) not in facts
    other = Person(Engine(knowledge, storage, clock=lambda: NOW), user_id=99)
    [nothing] = await other.says("/export")
    assert nothing.attachment is not None
    assert "export_facts_heading" not in pdf_text(nothing.attachment.data)  # no walkthrough, no heading


async def test_forget_erases_the_diary(knowledge: Knowledge, storage: Storage) -> None:
    user = Person(Engine(knowledge, storage, clock=lambda: NOW))
    await log(user, "d:day:0", "sms", None, "收到协商短信")
    await user.says("/forget")
    await user.presses("f:yes")
    assert await storage.diary(user.user_id) == []


# -- the terminal chat ------------------------------------------------------------------------------------------


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(None, env={"ADVISOR_DB": str(tmp_path / "chat.sqlite3")})


def test_the_terminal_chat_records_a_contact_and_saves_the_export(config: Config, tmp_path: Path) -> None:
    kb = Knowledge.load(SHIPPED).kb
    out = io.StringIO()
    lines = ["/log", "1", "1", "客服 8842", "答应分 12 期还款，免除罚息", "/export", "/quit"]
    folder = tmp_path / "exports"
    folder.mkdir()
    assert run_chat(config, ZH, io.StringIO("".join(f"{line}\n" for line in lines)), out, directory=folder) == 0
    turns = re.split(r"(?m)^> ", out.getvalue())
    assert kb.text("diary_ask_channel", ZH) in turns[2]  # "1" pressed 今天
    assert kb.text("diary_saved", ZH) in turns[5]
    [pdf] = folder.glob("negotiation-record-*.pdf")
    assert kb.text("chat_file_saved", ZH, path=str(pdf.resolve())) in turns[6]
    text = pdf_text(pdf.read_bytes())
    assert "答应分12期还款，免除罚息" in text
    assert kb.text("diary_channel_phone", ZH) in text


async def test_the_export_holds_the_plan_worked_out_with_slash_plan(storage: Storage) -> None:
    shipped = Knowledge.load(SHIPPED)
    assert shipped.plan is not None
    user = Person(Engine(shipped, storage, clock=lambda: NOW))
    inputs = Inputs(owed=30_000, income=8_000, spending=5_000, other=500, proposal=2_000)
    await storage.save_session(Session(user.user_id, state={"plan": PlanState(None, inputs).to_dict()}))
    [sent] = await user.says("/export")
    assert sent.attachment is not None
    text = pdf_text(sent.attachment.data)
    assert re.sub(r"\s+", "", shipped.kb.text("export_plan_heading", ZH)) in text
    for line in result_reply(inputs, shipped.plan, ZH).text.splitlines()[:3]:
        assert re.sub(r"\s+", "", line) in text


async def plan_user(storage: Storage, inputs: Inputs, *entries: str) -> tuple[Person, Knowledge]:
    """A user of the shipped knowledge whose latest /plan result is `inputs`, with diary entries saying `entries`."""
    shipped = Knowledge.load(SHIPPED)
    user = Person(Engine(shipped, storage, clock=lambda: NOW))
    await storage.save_session(Session(user.user_id, state={"plan": PlanState(None, inputs).to_dict()}))
    for number, said in enumerate(entries, 1):
        assert await storage.add_contact(user.user_id, f"2026-03-{number:02d}", "phone", "客服", said, limit=100)
    return user, shipped


def images(data: bytes) -> list[tuple[int, int]]:
    """The pixel size of every picture in a PDF, as a reader decodes them."""
    decoded = [image.image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]
    return [picture.size if picture is not None else (0, 0) for picture in decoded]


async def test_the_export_shows_the_plans_chart_beside_the_diary_and_stays_small(storage: Storage) -> None:
    said = [f"第{n}次：答应分 12 期还款，免除罚息，{n + 10} 号再联系" for n in range(1, 9)]
    user, shipped = await plan_user(storage, Inputs(owed=30_000, income=8_000, spending=5_000, other=500), *said)
    [sent] = await user.says("/export")
    assert sent.attachment is not None
    data = sent.attachment.data
    assert len(data) < 120_000, f"{len(data)} bytes"  # the chart adds about 20 KB (palette PNG)
    [size] = images(data)  # one picture: the chart, at the resolution /plan sends it
    assert size == (1200, 675)
    text = pdf_text(data)
    assert re.sub(r"\s+", "", shipped.kb.text("export_plan_heading", ZH)) in text
    for entry in said:
        assert re.sub(r"\s+", "", entry) in text


async def test_a_plan_of_three_instalments_or_fewer_is_exported_without_a_chart(storage: Storage) -> None:
    user, shipped = await plan_user(storage, Inputs(owed=6_000, income=8_000, spending=5_000, other=0), "打过电话")
    [sent] = await user.says("/export")
    assert sent.attachment is not None
    assert images(sent.attachment.data) == []
    assert re.sub(r"\s+", "", shipped.kb.text("export_plan_heading", ZH)) in pdf_text(sent.attachment.data)


async def test_the_export_has_the_latest_plan_result_and_none_after_forget(storage: Storage) -> None:
    first = Inputs(owed=30_000, income=8_000, spending=5_000, other=500)
    user, shipped = await plan_user(storage, first)
    texts = shipped.plan
    assert texts is not None

    def exported(inputs: Inputs) -> str:
        return re.sub(r"\s+", "", result_reply(inputs, texts, ZH).text.splitlines()[1])  # the amount owed

    await user.says("/plan")
    await user.says("45000")  # a new calculation, not finished: the first result is still the plan
    [sent] = await user.says("/export")
    assert sent.attachment is not None
    assert exported(first) in pdf_text(sent.attachment.data)

    await user.says("/plan")
    for typed in ("9000", "5000", "500"):  # income, spending, other debts: the second result is shown
        await user.says(typed)
    await user.presses("p:skip:proposal")
    [sent] = await user.says("/export")
    assert sent.attachment is not None
    second = Inputs(owed=45_000, income=9_000, spending=5_000, other=500)
    assert exported(second) in pdf_text(sent.attachment.data)
    assert exported(first) not in pdf_text(sent.attachment.data)

    await user.says("/forget")
    await user.presses("f:yes")
    [sent] = await user.says("/export")
    assert sent.attachment is not None
    assert re.sub(r"\s+", "", shipped.kb.text("export_plan_heading", ZH)) not in pdf_text(sent.attachment.data)
    assert images(sent.attachment.data) == []


async def test_the_channel_typed_by_its_label_is_taken_as_its_button(knowledge: Knowledge, storage: Storage) -> None:
    user = Person(Engine(knowledge, storage, clock=lambda: NOW))
    await user.says("/log")
    await user.presses("d:day:0")
    await user.says("那次是 diary_channel_sms 文本")  # the button's own label, typed in a sentence
    assert user.text.startswith("diary_ask_who 文本")
    await user.presses("d:skip")
    await user.says("答应分期")
    assert [r.channel for r in await storage.diary(user.user_id)] == ["sms"]


async def test_the_channel_typed_as_its_traditional_button_reads_is_taken(tmp_path: Path, storage: Storage) -> None:
    """A reviewed Traditional wording differs from the Simplified label: typed, it names that channel all the same."""
    folder = write_kb(tmp_path)
    (folder / "traditional.yaml").write_text("phrases:\n  文本: {tw: 線上本, hk: 網上本}\n", encoding="utf-8")
    kb = load_knowledge(folder, required_ids=())
    matcher = Matcher(kb)
    knowledge = Knowledge(kb, matcher, Advisor(kb, matcher), load_walkthrough(SHIPPED / "walkthrough.yaml"))
    for user_id, typed in ((1, "diary_channel_app 線上本"), (2, "diary_channel_sms 網上本")):
        user = Person(Engine(knowledge, storage, clock=lambda: NOW), user_id)
        await user.says("/log")
        await user.presses("d:day:0")
        await user.says(typed)
        assert user.text.startswith("diary_ask_who")
        await user.presses("d:skip")
        await user.says("答应分期")
    assert [r.channel for r in await storage.diary(1)] == ["app"]
    assert [r.channel for r in await storage.diary(2)] == ["sms"]


async def test_cancel_while_logging_stops_the_entry_as_its_stop_button_does(
    knowledge: Knowledge, storage: Storage
) -> None:
    user = Person(Engine(knowledge, storage, clock=lambda: NOW))
    await user.says("/log")
    await user.presses("d:day:0")
    await user.says("/cancel")
    assert user.text == "diary_stopped 文本"
    await user.says("答应分期")  # no form waits any more: a question, not the entry's text
    assert await storage.diary(user.user_id) == []
