"""Which language a typed message is written in, and so which language the conversation is answered in.

`detect(text)` tells Simplified Chinese, Traditional Chinese (Hong Kong when it has Cantonese words), English, or
Chinese whose characters are the same in both scripts ("好的", "我不想活了"); None when the message cannot tell
("ok", "hi", "?", "5000", an emoji: words anyone types, or no words at all). OpenCC decides which
characters belong to one script only: a character that OpenCC's Traditional → Simplified conversion (tw2s) changes
is Traditional, one that its Simplified → Traditional conversion (s2t) changes is Simplified, one both change is
neither. Whole phrases are converted, so 皇后 and 著名 keep their characters in both scripts. The Simplified side is
read from a table of what s2t changes, built from OpenCC's own dictionaries (bot/core/data/simplified.tsv, rebuilt
and checked against OpenCC by `python -m bench.script_tables`): OpenCC's s2t converter would keep ~26 MiB of phrase
dictionaries in every bot, most of which never write Traditional Chinese. Mostly-Chinese text with English words in
it is Chinese: a Chinese word is about one and a half characters, and the language with more words wins.

Latin-script text is English for this bot, which answers in no other Latin-script language; a language-
identification package would only tell French from English, which changes no reply. Two kinds of Latin text are
not English, though: pinyin typed without a Chinese keyboard ("huabei yuqi zenme ban"), recognised from pypinyin's
own syllables, and chat noise such as "haha", "hhh" or "emmm".

`conversation_lang` and `reply_lang` turn detections into the language a reply is written in:

    /language choice  >  the typed messages' language  >  Telegram's language_code (before any is typed)

The typed messages' language is sticky (`follow`): the first message that tells sets it; after that, a message in
another language switches it only when it is long and clearly in that language (`SWITCH_WORDS` words or more, no
words of the conversation's language in it), or when it is the second message in a row in that language. A Chinese
message of `SWITCH_CHINESE` characters or more that is not a short reply ("我还不上钱") switches an English
conversation at once: a user who writes a Chinese sentence reads Chinese. A short
or mixed message ("ok thanks", "my 花呗 is overdue") is answered in the conversation's language, so one English
line in a Cantonese conversation does not turn the whole interface, walkthrough and menus into English. A short
reply ("好的", "嗯", "谢谢", "ok thanks": `SHORT_REPLY_WORDS` words or fewer) never switches, not even as the second in
a row, and Latin letters with no English word in them ("ajsdh kajsdh") are no English line in a Chinese
conversation (a regression trial: gibberish twice, then "好的" was answered in English). Simplified and Traditional
are one language in two scripts: a message clearly in the other script (`CLEAR_SCRIPT` characters of it, none of
this one's: "我人在台灣 借唄…") switches the script at once, and back; one such character does not.

Traditional Chinese comes in Taiwan (zh-hant) and Hong Kong (zh-hk) wording. The variant is taken from the
region of Telegram's language_code when it has one (zh-hk, zh-mo → Hong Kong; zh-tw → Taiwan); otherwise a
message with Cantonese words (嘅, 唔, 咗, 係, 攰 …) means Hong Kong, a conversation already in Hong Kong wording stays
so, and anything else gets Taiwan wording, the more widely read of the two.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bot.core.i18n import Lang, lang_from_telegram, opencc_convert, to_simplified
from bot.core.respell import reading_table

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af\u1100-\u11ff]")
_LATIN_WORD = re.compile(r"[a-z]+")
#: What is no word of a language: links, @names, /commands, and Latin "#tags" — the terminal's buttons are "#2", and
#: "#abc" is a button mistyped or a tag, not a line of English.
_LINK = re.compile(r"https?://\S+|www\.\S+|@\w+|/\w+|#[a-z0-9_]+")

#: Written Cantonese: characters that standard written Chinese does not use (攰 "tired", 咁, 啱 …), and 係 ("is";
#: Traditional for 系) except in the words standard Traditional writes with it (關係, 係數: "沒關係" is Taiwan's too).
_CANTONESE = re.compile(r"[嘅唔咗冇啲喺嘢佢哋乜咩嚟噉諗睇俾攞揾搵嗰攰咁啱畀嘞囉喎㗎瞓嘥]|(?<![關关])係(?!數)")
#: Characters OpenCC's s2t changes (台 → 臺) that Taiwan's own standard writes as they are (台灣, 台北): evidence of
#: neither script, so "我人在台灣" is Traditional by its 灣, not a tie.
_TAIWAN_WRITES_TOO = frozenset("台")
#: Latin "words" that say nothing about the language: laughter, hesitation, and the bare "ok" and "hi".
_NOISE = re.compile(r"(?:h+|(?:ha)+h?|(?:he)+|(?:hi)+|x+d*|l+o+l+|e*m+|u+m+|a+h*|o+h*|ok+|okay|hi+|hey|yo|nb|ps)")
#: What English words never have and pinyin often does (x, q, zh, and vowel pairs such as ao, ie, ua): "time",
#: "sure" and "make" are pinyin syllables too, but no reason to answer in Chinese.
_PINYIN_ONLY = re.compile(r"x|q|zh|ao|uo|iu|ui|ua|ia|ie|ve|ue")
#: The shape every pinyin word has (consonants, vowels, perhaps n, ng or r, repeated): a quick first test.
_PINYIN_SHAPE = re.compile(r"(?:[bcdfghjklmnpqrstwxyz]{0,2}[aeiouv]{1,4}(?:ng|n|r)?)+")
#: Keyboard rows: four keys in a row ("asdf", "qwer", "lkjh") are a stray mash, not a word of any language.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_MASH = re.compile(
    "|".join(row[i : i + 4] for row in _ROWS for i in range(len(row) - 3))
    + "|"
    + "|".join(row[::-1][i : i + 4] for row in _ROWS for i in range(len(row) - 3))
)
#: Three keys in a row typed as a whole word ("qwe", "jkl"); inside a word they are common ("power", "street").
_SHORT_RUNS = frozenset(row[i : i + 3] for keys in _ROWS for row in (keys, keys[::-1]) for i in range(len(row) - 2))
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
#: Latin letters a message needs before it is taken as English (so "ok", "no", "hi" tell nothing).
MIN_ENGLISH_LETTERS = 3
#: One Chinese word is about this many characters: the weight of Chinese characters against English words.
_CHARS_PER_WORD = 1.5
#: A message in another language this many words long (a Chinese word: 1.5 characters), with no words of the
#: conversation's language in it, switches the conversation at once; a shorter one needs a second in a row. Six: a
#: user whose first typed line was English then wrote "我想回去上班了 但是工资还没发" (13 characters, under the
#: 12 words this was) and got an English menu; a whole sentence is answered in the language it is written in.
SWITCH_WORDS = 6
#: A message this many words long or shorter ("好的", "谢谢你", "ok thanks", "嗯嗯"; a Chinese word: 1.5 characters)
#: is a short reply: it keeps the conversation's language and never switches it, not even as the second in a row.
SHORT_REPLY_WORDS = 3
#: A Chinese message of this many characters or more, not made of reply words alone (`_REPLY_WORDS`), switches an
#: English conversation to Chinese at once: a first-user trial wrote one English line, then "我还不上钱" (five
#: characters, under `SWITCH_WORDS`) and was answered in English. "好的谢谢", "收到 谢谢" keep English.
SWITCH_CHINESE = 4
#: What a short Chinese reply is made of (in Simplified; Traditional is converted first): thanks, yes, ok, got it,
#: greetings, laughter and particles. A message of these alone says nothing new and never switches.
_REPLY_WORD_LIST = (
    "好", "好的", "好吧", "好啊", "好滴", "行", "行吧", "可以", "嗯", "恩", "哦", "噢", "喔", "啊", "哈", "呵",
    "嘿", "嘻", "谢谢", "谢了", "多谢", "感谢", "谢", "你", "您", "你们", "收到", "知道", "知道了", "明白", "懂",
    "了解", "没问题", "对", "对的", "是", "是的", "不是", "不用", "没事", "拜拜", "再见", "晚安", "你好", "在吗",
    "在", "了", "吧", "呀", "啦", "呢", "嘛", "哒", "的", "哟", "辛苦",
)  # fmt: skip
_REPLY_WORDS = re.compile("(?:" + "|".join(sorted(_REPLY_WORD_LIST, key=len, reverse=True)) + ")+")
#: A Chinese message with this many characters of one script and none of the other is clearly in that script: a
#: Simplified conversation is answered in Traditional from it on (and back), at once; one such character is not.
CLEAR_SCRIPT = 2
#: Words almost every English sentence has (and the loan words this bot's English users write): Latin text with
#: none of them ("ajsdh kajsd", "lorem ipsum") does not turn a Chinese conversation into English. A list of common
#: words is enough here: the text is Latin already, and the question is only whether it is English at all.
_COMMON_ENGLISH = """
    a about after again all also am an and any are as ask at be because been before but by can cannot can't could
    did do does don't for from get go got had has have he help her here hi him his how i i'm if in is it it's just
    know let like make me more my need no not now of on or our out over please she so some than thank thanks that
    the their them then there they this to too up us very want was we well were what when where which who why will
    with would yes you your alipay bank card collector collectors credit debt due interest late loan loans money
    negotiate negotiation overdue pay paid payment repay sue"""
_ENGLISH_WORDS = frozenset(_COMMON_ENGLISH.split())
#: How the stored form of `Typed` separates the conversation's language from the one it leans to.
_LEANING_MARK = ">"
#: What OpenCC's s2t changes: built by bench/script_tables.py from OpenCC's dictionaries.
SIMPLIFIED_TABLE = Path(__file__).resolve().parent / "data" / "simplified.tsv"


class Written(StrEnum):
    """What a message is written in."""

    SIMPLIFIED = "zh-hans"
    TRADITIONAL = "zh-hant"
    HONG_KONG = "zh-hk"  # Traditional with Cantonese words
    CHINESE = "zh"  # Chinese characters common to both scripts: Chinese, but which script is not known
    ENGLISH = "en"


def detect(text: str) -> Written | None:
    """The language `text` is written in; None when it cannot tell (too short, digits, symbols, another script)."""
    text = _LINK.sub(" ", unicodedata.normalize("NFKC", text)).casefold()
    han = chinese_characters(text)
    words = [w for w in _LATIN_WORD.findall(text) if not _NOISE.fullmatch(w) and not _is_mash(w)]
    if len(_KANA_HANGUL.findall(text)) > len(han):
        return None  # Japanese or Korean: no language of ours
    if han and len(han) >= _CHARS_PER_WORD * len(words):  # mostly Chinese, perhaps with English words in it
        return _script(han)
    if not words or sum(map(len, words)) < MIN_ENGLISH_LETTERS:
        return None
    if _is_pinyin(words):
        return Written.CHINESE
    return Written.ENGLISH


def hong_kong_wording(text: str) -> bool:
    """Whether `text` is written in Hong Kong's way: Cantonese words, in Traditional characters or in characters of
    both scripts ("我真係好攰"; not Cantonese in Simplified, as Guangdong writes it)."""
    if _CANTONESE.search(text) is None:
        return False  # most messages: no need to read the script
    return detect(text) is Written.HONG_KONG


def _is_mash(word: str) -> bool:
    """A stray run of keys ("asdfgh", or "sdf" alone), a clump of consonants no language writes ("sdfgjk"), the
    alphabet in order ("abc", "xyz") or one key held down ("jjj")."""
    return (
        bool(_MASH.search(word))
        or word in _SHORT_RUNS
        or (len(word) >= 4 and not any(v in word for v in "aeiouy"))
        or (len(word) >= 3 and word in _ALPHABET)
        or (len(word) >= 3 and len(set(word)) == 1)
    )


def chinese_characters(text: str) -> str:
    """The Chinese characters of `text`, in order (`text` already NFKC-normalised, as OpenCC would normalise it)."""
    return "".join(_HAN.findall(text))


def _script(han: str) -> Written:
    """Which script a run of Chinese characters is in: the one with more characters of its own wins."""
    return script_verdict(han, simplified_positions(han))


def script_verdict(han: str, simplified: set[int]) -> Written:
    """The script of `han`, given the positions whose character is Simplified (see `simplified_positions`)."""
    simplified, traditional = _script_positions(han, simplified)
    cantonese = _CANTONESE.search(han) is not None
    if len(simplified) > len(traditional):
        return Written.SIMPLIFIED
    if cantonese:  # written Cantonese is Hong Kong's, where the script does not say otherwise ("唔該晒")
        return Written.HONG_KONG
    if len(traditional) > len(simplified):
        return Written.TRADITIONAL
    return Written.CHINESE


def _script_positions(han: str, simplified: set[int]) -> tuple[set[int], set[int]]:
    """The positions of `han` whose character belongs to Simplified alone, and those whose belongs to Traditional."""
    simplified = {i for i in simplified if han[i] not in _TAIWAN_WRITES_TOO}
    traditional = _differences(han, "tw2s")  # the conversion the matcher has loaded already
    return simplified, traditional - simplified  # changed both ways: a character of neither script alone


def _clearly(text: str, lang: Lang) -> bool:
    """Whether `text` is clearly in the script of `lang` (Traditional for zh-hant and zh-hk): `CLEAR_SCRIPT`
    characters of that script at least, and none of the other."""
    han = chinese_characters(_LINK.sub(" ", unicodedata.normalize("NFKC", text)).casefold())
    simplified, traditional = _script_positions(han, simplified_positions(han))
    own, other = (traditional, simplified) if lang.traditional else (simplified, traditional)
    return len(own) >= CLEAR_SCRIPT and not other


def simplified_positions(han: str) -> set[int]:
    """Positions whose character OpenCC's s2t would change, as s2t finds them: at each position the longest phrase
    of its dictionary that starts there is converted whole (能借|借呗, never 能|借借|呗); else the one character."""
    table = _simplified_table()
    found: set[int] = set()
    start = 0
    while start < len(han):
        size, changed = _phrase_at(han, start, table.phrases)
        if size:
            found.update(start + int(digit, 16) for digit in changed)
            start += size
            continue
        if han[start] in table.changed:
            found.add(start)
        start += 1
    return found


def _phrase_at(han: str, start: int, phrases: Mapping[str, tuple[int, str]]) -> tuple[int, str]:
    """The longest phrase of the table at `start` (its length, and its changed positions in hex digits); 0 if none."""
    bucket = phrases.get(han[start])
    if bucket is None:
        return 0, ""
    longest, entries = bucket
    for size in range(min(longest, len(han) - start), 1, -1):
        at = entries.find(f" {han[start : start + size]}:")
        if at >= 0:
            changed = at + size + 2
            return size, entries[changed : entries.index(" ", changed)]
    return 0, ""


@dataclass(frozen=True)
class _SimplifiedTable:
    """What s2t changes: the characters it changes alone, and per first character its phrases as " 头发:01 皇后: "
    (a phrase, a colon, the positions it changes in hex) with the longest one's length. Kept as the file's own
    strings (~1 MiB, against ~26 MiB for OpenCC's s2t): a Python object per phrase would take several times that."""

    changed: str
    phrases: Mapping[str, tuple[int, str]]


@functools.cache
def _simplified_table() -> _SimplifiedTable:
    # Read line by line: the whole file as one string (and a JSON parse of it) would leave ~2 MiB of heap behind.
    changed = ""
    phrases: dict[str, tuple[int, str]] = {}
    with SIMPLIFIED_TABLE.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            if not changed:
                changed = line.rstrip("\n")
                continue
            first, longest, entries = line.rstrip("\n").split("\t")
            phrases[first] = (int(longest), entries)
    return _SimplifiedTable(changed, phrases)


def _differences(text: str, config: str) -> set[int]:
    """Positions whose character OpenCC's `config` changes (whole phrases; one by one if a phrase changed length)."""
    converted = opencc_convert(config, text)
    if len(converted) != len(text):
        converted = "".join(opencc_convert(config, ch)[:1] for ch in text)
    return {i for i, (a, b) in enumerate(zip(text, converted, strict=False)) if a != b}


def _is_pinyin(words: list[str]) -> bool:
    """Whether every word is one or more pinyin syllables ("xiexie", "hao de"), with two syllables at least and
    something in them that English words do not have."""
    if not all(_PINYIN_SHAPE.fullmatch(word) for word in words) or not any(map(_PINYIN_ONLY.search, words)):
        return False  # most English fails here, before pypinyin's table is read
    syllables = _pinyin_syllables()
    count = 0
    for word in words:
        parts = _split_syllables(word, syllables)
        if parts is None:
            return False
        count += parts
    return count >= 2


def _split_syllables(word: str, syllables: frozenset[str]) -> int | None:
    """The fewest pinyin syllables `word` splits into, or None if it does not."""
    best: list[int | None] = [0, *([None] * len(word))]
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            before = best[start]
            if before is not None and word[start:end] in syllables:
                candidate = before + 1
                current = best[end]
                if current is None or candidate < current:
                    best[end] = candidate
    return best[len(word)]


@functools.cache
def _pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable, from pypinyin's table of readings (the respeller's copy: importing pypinyin
    would also load its phrase tables, and a second copy would cost several MiB at its peak)."""
    result: set[str] = set()
    for readings in reading_table().distinct():
        for reading in readings.split(","):
            plain = "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))
            plain = plain.replace("ü", "v")
            if plain.isascii() and plain.isalpha():
                result.add(plain)
    result.discard("m")  # interjections pypinyin lists as readings, not syllables anyone types as words
    result.discard("n")
    result.discard("ng")
    result.discard("hm")
    result.discard("hng")
    return frozenset(result)


def region(client_lang: str | None) -> Lang | None:
    """The Traditional wording Telegram's language_code asks for by its region; None when it names none."""
    tag = (client_lang or "").lower().replace("_", "-")
    if not tag.startswith("zh"):
        return None
    if tag.endswith(("-hk", "-mo")):
        return Lang.ZH_HK
    if tag.endswith("-tw"):
        return Lang.ZH_HANT
    return None


def _traditional(client_lang: str | None, hint: Lang | None) -> Lang:
    """Taiwan or Hong Kong wording: the region of Telegram's language_code, else the hint, else Taiwan."""
    return region(client_lang) or (Lang.ZH_HK if hint is Lang.ZH_HK else Lang.ZH_HANT)


def conversation_lang(previous: Lang | None, written: Written | None, client_lang: str | None) -> Lang | None:
    """The language of the conversation's typed messages after one more: `previous` unless this one tells."""
    match written:
        case None:
            return previous
        case Written.ENGLISH:
            return Lang.EN
        case Written.SIMPLIFIED:
            return Lang.ZH_HANS
        case Written.TRADITIONAL:
            return _traditional(client_lang, previous)
        case Written.HONG_KONG:
            return _traditional(client_lang, Lang.ZH_HK)
        case Written.CHINESE:
            if previous is not None and previous is not Lang.EN:
                return previous  # Chinese either way: the conversation keeps its script
            default = lang_from_telegram(client_lang)
            return default if default is not Lang.EN else Lang.ZH_HANS


def reply_lang(chosen: Lang | None, typed: Lang | None, client_lang: str | None) -> Lang:
    """The language replies are written in: the /language choice, else the typed messages', else Telegram's."""
    if chosen is not None:
        return _traditional(client_lang, typed) if chosen is Lang.ZH_HANT else chosen
    if typed is not None:
        return typed
    return lang_from_telegram(client_lang)


@dataclass(frozen=True)
class Typed:
    """The language of a conversation's typed messages, and another one the latest message that told was in (a
    short message in another language is remembered here: a second one in a row switches)."""

    lang: Lang | None = None
    leaning: Lang | None = None

    def encode(self) -> str | None:
        """The stored form: "zh-hk", or "zh-hk>en" while the conversation leans to English."""
        if self.lang is None:
            return None
        return self.lang.value if self.leaning is None else f"{self.lang.value}{_LEANING_MARK}{self.leaning.value}"

    @classmethod
    def decode(cls, value: str | None) -> Typed:
        """The stored form read back; a language this version does not know is as good as none."""
        lang, _, leaning = (value or "").partition(_LEANING_MARK)
        known = {item.value: item for item in Lang}
        first = known.get(lang)
        return cls(first, known.get(leaning) if first is not None else None)


def follow(before: Typed, text: str, client_lang: str | None) -> Typed:
    """The conversation's typed language after one more message (see the module's docstring)."""
    written = detect(text)
    after = conversation_lang(before.lang, written, client_lang)
    if written is None or after is None:
        return before  # "ok", "5000": tells nothing, changes nothing
    if before.lang is None or after is before.lang or (after.traditional and before.lang.traditional):
        return Typed(after)  # the first message that tells, the same language, or Taiwan and Hong Kong wording
    # "我还不上钱" after an English line: a Chinese sentence, however short, is answered in Chinese
    chinese_line = before.lang is Lang.EN and after is not Lang.EN and _chinese_sentence(text)
    if (_words(text) <= SHORT_REPLY_WORDS and not chinese_line) or _reply_words_only(text):
        return before  # "好的", "谢谢", "ok thanks", "知道了谢谢你": a short reply keeps the language, never switches
    if written is Written.ENGLISH and before.lang is not Lang.EN and not _reads_english(text):
        return before  # "ajsdh kajsdh", "lorem ipsum": Latin letters, but no English to answer in
    if _mixed(text, written):
        return Typed(before.lang)  # "my 花呗 is overdue": both languages, the conversation's stays
    leaning = before.leaning
    # Taiwan and Hong Kong wording are one script: a Cantonese line then a Traditional one are two in a row, and
    # the Hong Kong wording the first one asked for stays unless Telegram's region says otherwise
    one_script = leaning is not None and leaning.traditional and after.traditional
    if one_script and leaning is not None and after is Lang.ZH_HANT and region(client_lang) is None:
        after = leaning
    # "我人在台灣 借唄…" in a Simplified conversation: the same language in the other script, clearly, switches at
    # once (and back); a reply written in the user's own script matters more than a line typed by mistake would
    script_only = before.lang is not Lang.EN and after is not Lang.EN and _clearly(text, after)
    if leaning is after or one_script or script_only or chinese_line or _words(text) >= SWITCH_WORDS:
        return Typed(after)
    return Typed(before.lang, after)


def _words(text: str) -> float:
    """How many words a message has: Latin words, and Chinese characters at 1.5 a word."""
    text = _LINK.sub(" ", unicodedata.normalize("NFKC", text)).casefold()
    return len(_LATIN_WORD.findall(text)) + len(_HAN.findall(text)) / _CHARS_PER_WORD


def _chinese_sentence(text: str) -> bool:
    """Whether a message has `SWITCH_CHINESE` Chinese characters or more and says more than a short reply does
    ("我还不上钱"; not "好的谢谢", "收到 谢谢", "哈哈哈哈")."""
    han = chinese_characters(unicodedata.normalize("NFKC", text))
    return len(han) >= SWITCH_CHINESE and not _reply_words_only(text)


def _reply_words_only(text: str) -> bool:
    """Whether a message is Chinese reply words alone ("知道了谢谢你", "收到 谢谢"), with no Latin word in it."""
    folded = _LINK.sub(" ", unicodedata.normalize("NFKC", text)).casefold()
    han = chinese_characters(folded)
    return bool(han) and not _LATIN_WORD.search(folded) and _REPLY_WORDS.fullmatch(to_simplified(han)) is not None


def _reads_english(text: str) -> bool:
    """Whether Latin text has a word of `_ENGLISH_WORDS` in it ("can they sue me"; not "ajsdh kajsdh")."""
    text = _LINK.sub(" ", unicodedata.normalize("NFKC", text)).casefold().replace("\u2019", "'")
    return any(word in _ENGLISH_WORDS for word in re.findall(r"[a-z]+(?:'[a-z]+)?", text))


def _mixed(text: str, written: Written) -> bool:
    """Whether a message has words of both languages: Chinese characters in English, English words in Chinese."""
    text = _LINK.sub(" ", unicodedata.normalize("NFKC", text)).casefold()
    if written is Written.ENGLISH:
        return _HAN.search(text) is not None
    latin = [w for w in _LATIN_WORD.findall(text) if not _NOISE.fullmatch(w) and not _is_mash(w)]
    return sum(map(len, latin)) >= MIN_ENGLISH_LETTERS
