"""The `advisor` command: run the bot, chat in a terminal, ask one question, and the admins' `kb` tools."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TextIO

from bot.cli_render import render_plain
from bot.config import Config, load_config
from bot.core.advisor import Advisor, Conversation
from bot.core.i18n import Lang
from bot.core.knowledge import EntryKind, KnowledgeBase, load_knowledge
from bot.core.language import conversation_lang, detect, reply_lang
from bot.core.matcher import Matcher, MatchResult, Status
from bot.core.plantexts import load_plan_texts
from bot.core.safety import Concern
from bot.core.walkthrough import load_walkthrough
from bot.errors import AdvisorError, KnowledgeError, Problem

logger = logging.getLogger(__name__)

#: `--lang auto`: follow the language of what the user types.
AUTO = "auto"


def _config(args: argparse.Namespace) -> Config:
    path = args.config or os.environ.get("ADVISOR_CONFIG")
    if path:
        return load_config(Path(path))
    default = Path("config.yaml")
    return load_config(default if default.is_file() else None)


def _knowledge(args: argparse.Namespace, config: Config) -> KnowledgeBase:
    directory = Path(args.path) if getattr(args, "path", None) else config.knowledge_dir
    return load_knowledge(directory)


def _lang(args: argparse.Namespace) -> Lang | None:
    """The language --lang fixes (after the subcommand, or before it as older versions took it); None for auto."""
    value = getattr(args, "lang", None) or args.global_lang or AUTO
    return None if value == AUTO else Lang(value)


def _result_json(question: str, result: MatchResult, lang: Lang, safety: Concern | None = None) -> dict[str, object]:
    """What the user gets, as data: the match, the reply's language, and `safety` ("crisis" for the crisis reply,
    "scam" for the scam card, else null). A crisis reply is not an answer from the knowledge: no entry, no route,
    no candidates."""
    crisis = safety is Concern.CRISIS
    data: dict[str, object] = {
        "question": question,
        "status": Status.FALLBACK.value if crisis else result.status.value,
        "entry": result.entry.id if result.status is Status.ANSWER and result.entry and not crisis else None,
        "candidates": [] if crisis else [c.entry.id for c in result.candidates],
        "score": 0.0 if crisis else result.score,
    }
    if result.route is not None and not crisis:
        data["route"] = result.route.id
    data["lang"] = lang.value
    data["safety"] = safety.value if safety is not None else None
    return data


def cmd_ask(args: argparse.Namespace, out: TextIO) -> int:
    config = _config(args)
    kb = _knowledge(args, config)
    matcher = Matcher(kb, config.matcher)
    advisor = Advisor(kb, matcher)
    fixed = _lang(args)

    def answer(question: str) -> str:
        # Each question is a conversation of its own: its language, or Simplified Chinese when it does not tell.
        lang = fixed or reply_lang(None, conversation_lang(None, detect(question), None), None)
        outcome = advisor.ask(Conversation(lang=lang), question)
        if args.json:
            result = outcome.match or matcher.match(question)  # a greeting or the crisis reply matches nothing
            return json.dumps(_result_json(question, result, lang, outcome.safety), ensure_ascii=False)
        return "\n\n".join(render_plain(r) for r in outcome.replies)

    if args.question:
        print(answer(" ".join(args.question)), file=out)
        return 0
    for line in sys.stdin:  # batch: one question per line, one answer (or JSON object) per question
        question = line.rstrip("\n")
        if question.strip():
            print(answer(question) + ("" if args.json else "\n"), file=out)
            out.flush()
    return 0


def _check_walkthrough(directory: Path, problems: list[Problem]) -> None:
    """walkthrough.yaml and plan.yaml belong to the folder too: the bot will not start without valid ones."""
    checks = (("walkthrough.yaml", load_walkthrough), ("plan.yaml", partial(load_plan_texts, check_traditional=True)))
    for name, load in checks:
        path = directory / name
        try:
            load(path)
        except KnowledgeError as error:
            problems.extend(replace(p, path=path.name) if p.path == str(path) else p for p in error.problems)


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    config = _config(args)
    started = time.perf_counter()
    kb = load_knowledge(Path(args.path) if args.path else config.knowledge_dir, extra=_check_walkthrough)
    kinds = Counter(e.kind for e in kb.entries)
    examples = sum(len(e.examples) for e in kb.entries)
    elapsed = (time.perf_counter() - started) * 1000
    print(
        f"ok: {kinds[EntryKind.TOPIC]} topics, {kinds[EntryKind.ROUTE]} routes, {kinds[EntryKind.OFFTOPIC]} off-topic, "
        f"{examples} example questions, "
        f"{len(kb.aliases)} aliases, {len(kb.texts)} texts (version {kb.version}, {elapsed:.0f} ms)",
        file=out,
    )
    return 0


def cmd_lint(args: argparse.Namespace, out: TextIO) -> int:
    """Every entry's own examples must come back to that entry; list those that land elsewhere or are ambiguous."""
    config = _config(args)
    kb = _knowledge(args, config)
    # The knowledge's own consistency, by the matcher's views alone: the learned judge answers an entry's own
    # example with that entry whatever it says, so it could not tell an example filed under the wrong entry.
    matcher = Matcher(kb, dataclasses.replace(config.matcher, learned=False))
    issues = 0
    total = 0
    for entry in kb.entries:
        for example in entry.examples:
            total += 1
            result = matcher.match(example)
            ids = [c.entry.id for c in result.candidates]
            best = result.entry.id if result.entry else None
            if best == entry.id and result.status is not Status.CLARIFY:
                continue
            issues += 1
            if result.status is Status.CLARIFY:
                what = f"ambiguous between {', '.join(ids)}"
            elif best is None:
                what = f"finds nothing (best score {result.score:.2f})"
            else:
                what = f"lands on '{best}' ({result.score:.2f})"
            print(f"{entry.source}: '{example}' of '{entry.id}' {what}", file=out)
    print(f"{'ok' if not issues else 'problems'}: {issues} of {total} example questions misplaced", file=out)
    return 1 if issues else 0


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    import yaml

    from bot.core.importer import Repairs, repair, skeleton, split_sections

    source = Path(args.document)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {source}: {error}", file=sys.stderr)
        return 2
    if args.repair:
        config = _config(args)
        repairs_path = Path(args.repairs) if args.repairs else config.knowledge_dir / "import_repairs.yaml"
        try:
            # the shipped table may be absent; one named with --repairs must be there
            exists = repairs_path.is_file() or args.repairs
            data = yaml.safe_load(repairs_path.read_text(encoding="utf-8")) if exists else {}
            repairs = Repairs.from_mapping(data or {})
        except (OSError, UnicodeDecodeError, yaml.YAMLError, re.error, AttributeError, TypeError) as error:
            print(f"cannot use the repair table {repairs_path}: {error}", file=sys.stderr)
            return 2
        text = repair(text, repairs)
    result = skeleton(split_sections(text))
    if args.output:
        Path(args.output).write_text(result, encoding="utf-8")
        print(f"wrote {args.output}", file=out)
    else:
        out.write(result)
    return 0


def cmd_chat(args: argparse.Namespace, out: TextIO) -> int:
    from bot.chat import run_chat

    config = _config(args)
    code: int = run_chat(config, _lang(args), sys.stdin, out, directory=getattr(args, "files", None))
    return code


def cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    from bot.telegram.serving import run_bot

    config = _config(args)
    code: int = run_bot(config)
    return code


def cmd_default(args: argparse.Namespace, out: TextIO) -> int:
    """`advisor` alone: the Telegram bot when a token is configured, else a terminal chat on the same engine."""
    config = _config(args)
    if config.telegram.token:
        return cmd_run(args, out)
    print("(TELEGRAM_BOT_TOKEN is not set: starting the terminal chat)", file=out)
    return cmd_chat(args, out)


def cmd_unmatched(args: argparse.Namespace, out: TextIO) -> int:
    """The admins' inbox: unanswered questions and 👎'd answers, alike ones grouped, most asked first (--csv FILE)."""
    import asyncio
    import time as clock

    from bot.admin import Admin
    from bot.core import inbox
    from bot.core.matcher import Matcher
    from bot.storage import Storage

    config = _config(args)
    normalize = Matcher(load_knowledge(config.knowledge_dir)).normalize

    async def report() -> list[inbox.Group]:
        async with await Storage.open(config.database) as storage:
            return await Admin(storage).groups(normalize, since_days=args.days)

    groups = asyncio.run(report())
    if args.csv:
        Path(args.csv).write_text(inbox.to_csv(groups), encoding="utf-8-sig")
    lines = []
    for group in groups[: args.limit]:
        seen = clock.strftime("%Y-%m-%d", clock.localtime(group.last_seen))
        closest = f"closest {group.entry} ({group.best_score:.2f})" if group.entry else "nothing close"
        disliked = f"  👎 {group.disliked}" if group.disliked else ""
        wordings = f"  +{len(group.questions) - 1} wordings" if len(group.questions) > 1 else ""
        notes = f"  notes: {' | '.join(group.notes[: inbox.NOTES_SHOWN])}" if group.notes else ""
        question = group.question or f"[{group.entry}]"
        lines.append(f"{group.count:>4}× {len(group.users):>3} users  last {seen}  {closest}{disliked}{wordings}"
                     f"{notes}  {question}")  # fmt: skip
    print("\n".join(lines) if lines else "No unanswered questions recorded.", file=out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="advisor", description="逾期协商助手 — overdue-loan negotiation advisor")
    parser.add_argument("--config", help="config.yaml (default: ./config.yaml if present, or $ADVISOR_CONFIG)")
    languages = [AUTO, *(lang.value for lang in Lang)]
    lang_help = "reply language; auto (the default) follows the language of what is typed"
    parser.add_argument("--lang", dest="global_lang", choices=languages, help=argparse.SUPPRESS)  # the old place
    parser.set_defaults(func=cmd_default)
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="start the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    run.set_defaults(func=cmd_run)
    chat = sub.add_parser("chat", help="talk to the advisor in this terminal")
    chat.add_argument("--lang", choices=languages, help=lang_help)
    files_help = "where /export saves its PDF (default: ~/Downloads, else ~/advisor-files)"
    chat.add_argument("--files", type=Path, metavar="DIR", help=files_help)
    chat.set_defaults(func=cmd_chat)
    ask = sub.add_parser("ask", help="answer one question, or one per stdin line")
    ask.add_argument("question", nargs="*", help="the question (omit to read one per line from stdin)")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--path", help="knowledge folder (default: from config)")
    ask.add_argument("--lang", choices=languages, help=lang_help)
    ask.set_defaults(func=cmd_ask)

    kb = sub.add_parser("kb", help="knowledge-base tools for admins")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    validate = kb_sub.add_parser("validate", help="check the knowledge YAML; list every problem with file:line")
    validate.add_argument("path", nargs="?", help="knowledge folder (default: from config)")
    validate.set_defaults(func=cmd_validate)
    lint = kb_sub.add_parser("lint", help="run every example question through the matcher")
    lint.add_argument("path", nargs="?", help="knowledge folder (default: from config)")
    lint.set_defaults(func=cmd_lint)
    imp = kb_sub.add_parser("import", help="turn a document with numbered headings into a YAML skeleton")
    imp.add_argument("document")
    imp.add_argument("-o", "--output", help="write the skeleton here instead of stdout")
    imp.add_argument("--repair", action="store_true", help="repair a damaged copy (pinyin, lost characters, spam)")
    imp.add_argument("--repairs", help="repair table (default: import_repairs.yaml in the knowledge folder)")
    imp.set_defaults(func=cmd_import)
    unmatched = kb_sub.add_parser("unmatched", help="unanswered and 👎 questions, grouped")
    unmatched.add_argument("--limit", type=int, default=50, help="how many lines (default 50)")
    unmatched.add_argument("--days", type=int, help="only questions asked in the last DAYS days")
    unmatched.add_argument("--csv", metavar="FILE", help="also write every group to FILE as CSV (for editing the YAML)")
    unmatched.set_defaults(func=cmd_unmatched)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stream = out or sys.stdout
    try:
        code: int = args.func(args, stream)
    except KnowledgeError as error:
        print(str(error), file=sys.stderr)
        return 1
    except AdvisorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `advisor ask … | head`: the reader left; stop quietly, and keep Python's exit-time flush from failing too
        if stream is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell tool reports here
    return code
