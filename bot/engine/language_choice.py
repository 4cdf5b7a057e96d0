"""Reading a language the user chose: from storage, or typed after /language."""

from __future__ import annotations

from bot.core.i18n import Lang


def stored_lang(value: str | None) -> Lang | None:
    """A language read back from storage; one this version does not know is as good as none."""
    try:
        return Lang(value) if value else None
    except ValueError:
        return None


def parse_lang(text: str) -> Lang | None:
    tag = text.strip().lower().replace("_", "-")
    aliases = {"zh": Lang.ZH_HANS, "cn": Lang.ZH_HANS, "简体": Lang.ZH_HANS, "tw": Lang.ZH_HANT, "hk": Lang.ZH_HK,
               "繁體": Lang.ZH_HANT, "繁体": Lang.ZH_HANT, "english": Lang.EN}  # fmt: skip
    if tag in {lang.value for lang in Lang}:
        return Lang(tag)
    return aliases.get(tag)
