"""`advisor chat`: the same engine as the Telegram bot, in a terminal — choices by number, /quit to leave.

Buttons are always shown as `#N`, numbered across all the messages of one turn, and `#N` always picks one (a
number no button has is said to be none). Where nothing asks for a number, a bare "N" picks a
button too; where the walkthrough or /plan asks for a number (days overdue, amounts), a bare number is that answer,
so "7" means seven days, not the seventh button (an implausibly small amount such as "3" is asked about once, and
typed again it is noted); the same holds where a tool waits for due days. A file the bot makes (the /export PDF, a
/plan chart as PNG) is the user's to keep: it is written where downloads go (`~/Downloads`, else `~/advisor-files`,
or `--files DIR`), never into whatever folder the chat happens to run in nor the temporary folder, never over a file
written earlier (a "-2" is added to the name), and the chat says the exact path. Reminders are listed, set and
cancelled here, but only `advisor run` fires them.

Replies follow the language typed, as in Telegram (Simplified Chinese until something typed tells), unless
`--lang` fixes one; /language then chooses again. The chat's own lines are in the language of the last reply.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TextIO

from bot.cli_render import render_plain
from bot.config import Config
from bot.core.i18n import Lang
from bot.core.replies import Attachment, Chart, Choice, Reply
from bot.engine import Engine, Incoming, Kind, Knowledge
from bot.storage import Storage

#: The terminal user's id in the database (Telegram ids are positive, so this never collides).
TERMINAL_USER = 0
#: What stands before a button's number, on every screen alike ("#2"): typed with it, the number is always a button.
BUTTON_MARK = "#"
#: What after the mark is taken as a (mistyped) button: a number or one Latin word ("#2", "#abc"); "#花呗逾期" is text.
_BUTTON_LIKE = re.compile(r"[0-9A-Za-z]+")


def _save_chart(chart: Chart, directory: Path) -> Path:
    """Draw the chart into a new PNG file in `directory`, beside the other files the terminal keeps; its path is shown
    to the user."""
    from bot.chart import render_png  # deferred: matplotlib only when a chart is drawn

    return _write_new(directory, "advisor-plan.png", render_png(chart))


def files_folder(home: Path | None = None) -> Path:
    """Where the terminal keeps the files the bot makes: the user's Downloads folder, where people look for a file
    they were just given, or, on a machine without one, a folder of its own in the home folder."""
    home = home or Path.home()
    downloads = home / "Downloads"
    return downloads if downloads.is_dir() else home / "advisor-files"


def save_attachment(attachment: Attachment, directory: Path) -> Path:
    """Write a reply's file into `directory` (made if missing) under its own name, or with "-2", "-3" … added when a
    file of that name is there already (a second export the same day keeps the first); the absolute path written."""
    return _write_new(directory, Path(attachment.filename).name, attachment.data)


def _write_new(directory: Path, name: str, data: bytes) -> Path:
    """Write `data` into a file of `directory` (made if missing) that did not exist before: `name`, else `name` with
    the first free "-N" before its suffix. Never overwrites a file the user was given earlier."""
    directory.mkdir(parents=True, exist_ok=True)
    first, number = Path(name), 1
    while True:
        path = (directory / (name if number == 1 else f"{first.stem}-{number}{first.suffix}")).resolve()
        try:
            with path.open("xb") as file:  # "x": fails if it exists, so two writers never share a name
                file.write(data)
        except FileExistsError:
            number += 1
            continue
        return path


class _Terminal:
    """One terminal conversation: numbers the buttons it shows and turns typed lines into the engine's events."""

    def __init__(self, engine: Engine, out: TextIO, directory: Path, lang: Lang | None) -> None:
        self.engine = engine
        self.out = out
        self.directory = directory
        self.fixed = lang  # --lang: every reply in that language, until the user picks one with /language
        self.choices: list[Choice] = []
        self.number_step = False
        self.shown_in = lang or Lang.ZH_HANS  # the language of the last replies, for the chat's own lines

    async def respond(self, event: Incoming) -> Lang:
        """Pass one event to the engine and show its replies; the language they were in."""
        response = await self.engine.handle(event)
        self.number_step = response.expects_number
        await self.show(response.replies, response.lang)
        return response.lang

    async def show(self, replies: list[Reply], shown_in: Lang) -> None:
        knowledge = self.engine.knowledge
        self.choices = [c for r in replies for c in r.choices]
        self.shown_in = shown_in
        number = 1  # numbered across the whole turn: "#3" is the third button shown, whichever message it is under
        blocks = []
        for reply in replies:
            blocks.append(render_plain(reply, marker=BUTTON_MARK, first=number))
            number += len(reply.choices)
            blocks.extend(await self._files(reply, shown_in))
        print("\n\n".join(blocks), file=self.out)
        print(f"\n({knowledge.kb.text('chat_quit_hint', shown_in)})", file=self.out)
        if self.number_step:
            print(f"({knowledge.kb.text('chat_number_hint', shown_in)})", file=self.out)
        self.out.flush()

    async def _files(self, reply: Reply, shown_in: Lang) -> list[str]:
        """Save the reply's chart and file; the lines that say where they are."""
        lines = []
        plan = self.engine.knowledge.plan
        if reply.chart is not None and plan is not None:
            path = await asyncio.to_thread(_save_chart, reply.chart, self.directory)
            lines.append(plan.say("result.chart_file", shown_in, path=path))
        if reply.attachment is not None:  # its `note` is for a file sent away; this one stays here, and says where
            path = await asyncio.to_thread(save_attachment, reply.attachment, self.directory)
            lines.append(self.engine.knowledge.kb.text("chat_file_saved", shown_in, path=str(path)))
        return lines

    def no_such_button(self, text: str) -> str | None:
        """What to say to "#N" when no button shown has that number ("#99", "#0"), or to a button mark before a
        Latin word ("#abc": a mistyped button, not a question for the advisor); None for anything else."""
        picked = text.removeprefix(BUTTON_MARK).strip()
        if not text.startswith(BUTTON_MARK) or not _BUTTON_LIKE.fullmatch(picked):
            return None
        if picked.isdigit() and 1 <= int(picked) <= len(self.choices):
            return None
        return self.engine.knowledge.kb.text("chat_no_button", self.shown_in, n=picked, last=str(len(self.choices)))

    def event(self, text: str) -> Incoming:
        """What a typed line means: a button by its number, a command, or text."""
        fixed = self.fixed
        picked = text.removeprefix(BUTTON_MARK) if text.startswith(BUTTON_MARK) or not self.number_step else None
        if picked is not None and picked.isdigit() and 1 <= int(picked) <= len(self.choices):
            return Incoming(TERMINAL_USER, Kind.PRESS, action=self.choices[int(picked) - 1].action, lang=fixed)
        if text.startswith("/"):  # as in Telegram, unknown commands get the engine's "unknown command"
            name, _, argument = text[1:].partition(" ")
            if name.lower() == "language":
                self.fixed = None  # the user chooses here: their choice is kept, as in Telegram
                fixed = None
            return Incoming(TERMINAL_USER, Kind.COMMAND, command=name.lower(), text=argument, lang=fixed)
        return Incoming(TERMINAL_USER, Kind.TEXT, text=text, lang=fixed)


async def _chat(config: Config, lang: Lang | None, stdin: TextIO, out: TextIO, directory: Path) -> int:
    knowledge = Knowledge.load(config.knowledge_dir, config.matcher)
    async with await Storage.open(config.database) as storage:
        engine = Engine(knowledge, storage, directory=config.knowledge_dir)
        terminal = _Terminal(engine, out, directory, lang)
        shown_in = await terminal.respond(Incoming(TERMINAL_USER, Kind.COMMAND, command="start", lang=lang))
        while True:
            print("> ", end="", file=out, flush=True)
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            text = line.strip()
            if text in {"/quit", "/exit", "/q"}:
                break
            missing = terminal.no_such_button(text)
            if missing is not None:
                print(missing, file=out, flush=True)
                continue
            shown_in = await terminal.respond(terminal.event(text))
        print(engine.knowledge.kb.text("goodbye", shown_in), file=out)
    return 0


def run_chat(config: Config, lang: Lang | None, stdin: TextIO, out: TextIO, *, directory: Path | None = None) -> int:
    """Chat until /quit or end of input; files the bot sends are saved in `directory` (default: `files_folder()`)."""
    return asyncio.run(_chat(config, lang, stdin, out, directory or files_folder()))
