"""What the user's commands decide (/start, /help, /guide, /plan, /cancel, /privacy, /forget, /language …), and
the /forget and language choices, which buttons and typed words reach as well."""

from __future__ import annotations

from dataclasses import replace

from bot.core import actions, dialogue, planchat
from bot.core.advisor import Conversation
from bot.core.i18n import NATIVE_NAMES, Lang
from bot.core.language import reply_lang
from bot.core.replies import Choice, Reply
from bot.engine import steps
from bot.engine.decision import Decision
from bot.engine.events import Incoming
from bot.engine.knowledge import Knowledge
from bot.engine.language_choice import parse_lang
from bot.engine.saved_state import UserState, plan_prefill

#: The /start argument of the deep link a group sends someone to, to go on in private with the walkthrough.
START_GUIDE = "guide"


def command(event: Incoming, state: UserState, k: Knowledge, conversation: Conversation) -> Decision:
    """A command that is not a tool's (bot.tools has those); an unknown one gets the help."""
    lang = conversation.lang
    match event.command:
        case "start":
            return _start(event, state, k, conversation)
        case "help":
            return Decision(k.advisor.help(conversation), state)
        case "guide":
            return steps.walk(state, dialogue.Start(), k, lang)
        case "resume":
            return steps.walk(state, dialogue.Resume(), k, lang)
        case "plan" if k.plan is not None:
            return steps.plan(state, planchat.Start(*plan_prefill(state)), k.plan, lang)
        case "cancel":
            return _cancel(state, k, lang)
        case "privacy":
            forget = Choice(k.kb.text("forget_button", lang), actions.Forget(actions.ForgetVerb.ASK).pack())
            return Decision([Reply(k.kb.text("privacy", lang), (forget,))], state)
        case "forget":
            return forget_press(actions.ForgetVerb.ASK, state, k, lang)
        case "language":
            return _language_command(event, state, k, lang)
    return Decision([Reply(k.kb.text("unknown_command", lang)), *k.advisor.help(conversation)], state)


def _start(event: Incoming, state: UserState, k: Knowledge, conversation: Conversation) -> Decision:
    """/start: the greeting, with a button to continue the walkthrough if one is under way."""
    lang = conversation.lang
    if event.text == START_GUIDE:  # a deep link from a group: straight into the walkthrough
        return steps.walk(state, dialogue.Start(), k, lang)
    replies = k.advisor.greet(conversation)
    resume = dialogue.continue_choice(state.progress, k.walkthrough, lang)
    if resume is not None:
        replies = [*replies[:-1], replace(replies[-1], choices=(resume, *replies[-1].choices))]
    return Decision(replies, state)


def _language_command(event: Incoming, state: UserState, k: Knowledge, lang: Lang) -> Decision:
    """/language: the menu of languages, or straight to the one named after it ("/language en")."""
    chosen = parse_lang(event.text)
    if chosen is None:
        return Decision([_language_menu(k, lang)], state)
    return language_set(event, state, k, chosen)


def _cancel(state: UserState, k: Knowledge, lang: Lang) -> Decision:
    """/cancel: stops the /plan calculation if it is asking, else the walkthrough."""
    if planchat.asking(state.plan) and k.plan is not None:
        return steps.plan(state, planchat.Stop(), k.plan, lang)
    if state.progress is None:
        return Decision([Reply(k.kb.text("nothing_to_cancel", lang))], state)
    return steps.walk(state, dialogue.Cancel(), k, lang)


def forget_press(verb: actions.ForgetVerb, state: UserState, k: Knowledge, lang: Lang) -> Decision:
    """The /forget buttons (and their words typed): ask, yes (everything about the user goes), no.

    The question stays open, for a typed yes or no, until the user's next message; it is saved (a restart in
    between does not close it), and the engine closes it whatever that message is."""
    match verb:
        case actions.ForgetVerb.ASK:
            return Decision([_forget_confirm(k, lang)], replace(state, forget_asked=True), save=True)
        case actions.ForgetVerb.YES:
            return Decision([Reply(k.kb.text("forgotten", lang))], UserState(), forgotten=True)
    return Decision([Reply(k.kb.text("forget_cancelled", lang))], state)


def _forget_confirm(k: Knowledge, lang: Lang) -> Reply:
    return Reply(
        k.kb.text("forget_confirm", lang),
        (
            Choice(k.kb.text("forget_yes", lang), actions.Forget(actions.ForgetVerb.YES).pack()),
            Choice(k.kb.text("forget_no", lang), actions.Forget(actions.ForgetVerb.NO).pack()),
        ),
    )


def language_set(event: Incoming, state: UserState, k: Knowledge, chosen: Lang) -> Decision:
    """The user's choice is kept; 繁體 gets Hong Kong wording when Telegram's language_code is from there."""
    shown_in = reply_lang(chosen, None, event.client_lang)
    text = k.kb.text("language_set", shown_in, language=NATIVE_NAMES[shown_in])
    return Decision([Reply(text)], state, lang=chosen.value, save=True)


def _language_menu(k: Knowledge, lang: Lang) -> Reply:
    return Reply(
        k.kb.text("language_prompt", lang),
        tuple(
            Choice(NATIVE_NAMES[lang], actions.PickLanguage(lang.value).pack())
            for lang in (Lang.ZH_HANS, Lang.ZH_HANT, Lang.EN)
        ),
    )
