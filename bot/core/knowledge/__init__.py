"""The admin-edited knowledge YAML, loaded into an immutable `KnowledgeBase`.

Layout of a knowledge folder (see knowledge/README.md):

    entries/*.yaml   `entries:` — one item per topic (`kind: route` for topics the guide does not cover,
                     `kind: offtopic` for chit-chat that is not about overdue loans at all)
    aliases.yaml     `aliases:` canonical → variants users type; `fillers:` words with no topic;
                     `greetings:` hello words, `thanks:` thanks and "ok" (both fillers too; a message of only
                     these gets a kind word);
                     `generic:` question words ("怎么样") that alone do not make a question about loans;
                     `respell:` words a typo that sounds like them is put right to (写商 → 协商);
                     `crisis:`, `scams:` phrases the safety screen (bot/core/safety.py) looks for besides its
                     built-in ones; they can only add (an empty list switches nothing off)
                     `dialect:` Mandarin word → written Cantonese words for it (read before the aliases);
                     `needs:` canonical words of a borrower saying they cannot pay (such a question is never
                     answered by a route or chit-chat entry none of whose examples says so)
    texts.yaml       `texts:` the bot's own sentences, per language
    tools.yaml       `texts:` the sentences of the tools (reminders, diary, export, feedback), with the
                     {placeholders} each may use declared in `TOOL_TEXTS`
    traditional.yaml `phrases:` reviewed Traditional wording for Simplified phrases OpenCC converts wrongly
                     (注销 → 註銷, not 登出); optional

The parts: `model` (what the matcher and the advisor use), `shapes` (each file's declared shape and the texts and ids
the code needs), `loader` (files → model), `problems` (each problem worded as `file:line: what to fix`),
`crosscheck` (what no single file shows: unique ids and examples, related ids that exist).
"""

from bot.core.knowledge.loader import load_knowledge
from bot.core.knowledge.model import Entry, EntryKind, KnowledgeBase
from bot.core.knowledge.shapes import (
    LOADED_BESIDE,
    MAX_ID_CHARS,
    MAX_TITLE_CHARS,
    MIN_EXAMPLES,
    REQUIRED_ENTRY_IDS,
    REQUIRED_TEXT_KEYS,
    TEXT_PLACEHOLDERS,
    TOOL_TEXTS,
)

__all__ = [
    "LOADED_BESIDE",
    "MAX_ID_CHARS",
    "MAX_TITLE_CHARS",
    "MIN_EXAMPLES",
    "REQUIRED_ENTRY_IDS",
    "REQUIRED_TEXT_KEYS",
    "TEXT_PLACEHOLDERS",
    "TOOL_TEXTS",
    "Entry",
    "EntryKind",
    "KnowledgeBase",
    "load_knowledge",
]
