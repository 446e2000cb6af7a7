"""Words the line itself adds around the flows: footers, notices, keywords, voice prompts.

They are marked with `pgettext(context, text)` so `pybabel extract` and
`hotline i18n extract` collect them (msgctxt = context) like the flows' own text;
the translation happens at render time, in the session's language.
"""
from __future__ import annotations

from typing import NamedTuple

from hotline.engine import Action


class Phrase(NamedTuple):
    context: str
    text: str


def pgettext(context: str, text: str) -> Phrase:
    """Mark a phrase for extraction; `Texts.phrase()` translates it later."""
    return Phrase(context, text)


# Twilio's own keywords, English only, whole message, any case (shared/sources/twilio.md:
# long codes and toll-free numbers, Advanced Opt-Out's defaults). On those numbers Twilio
# answers them itself; every opt-out one opts out on every channel. The only list of them.
TWILIO_OPT_OUT = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT")
TWILIO_OPT_IN = ("START", "YES", "UNSTOP")
TWILIO_HELP = ("HELP", "INFO")

# Keywords: comma-separated, any case, accents optional. Translators add their own words.
# KEY_STOP is the opt-out words as translators see them (its English words are Twilio's;
# all of TWILIO_OPT_OUT opt out whatever the language).
KEY_START = pgettext("keywords.start", "HELLO, HI, START, MENU")
KEY_HOME = pgettext("keywords.home", "MENU, HOME, MAIN")
KEY_BACK = pgettext("keywords.back", "BACK, RETURN")
KEY_REPEAT = pgettext("keywords.repeat", "REPEAT, AGAIN")
KEY_HELP = pgettext("keywords.help", "HELP, INFO")
KEY_LANGUAGE = pgettext("keywords.language", "LANGUAGE, LANG")
KEY_MORE = pgettext("keywords.more", "MORE, NEXT")
KEY_STOP = pgettext("keywords.stop", "STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT")

NAVIGATION = {Action.HOME: KEY_HOME, Action.BACK: KEY_BACK, Action.REPEAT: KEY_REPEAT, Action.HELP: KEY_HELP,
              Action.LANGUAGE: KEY_LANGUAGE, Action.MORE: KEY_MORE}

# SMS
CHOOSE_LANGUAGE = pgettext("sms.language", "Reply with the number of your language:")
MENU_FOOTER_MAIN = pgettext("sms.footer.main", "Reply with a number. LANGUAGE: change language.")
MENU_FOOTER = pgettext("sms.footer.menu", "Reply with a number. #: back. 0: main menu.")
PAGE_FOOTER = pgettext("sms.footer.page", "#: back. 0: main menu.")
MORE = pgettext("sms.more", "({page}/{pages}) Reply MORE to read on.")
NOT_UNDERSTOOD = pgettext("notice.unknown", "Sorry, I did not understand.")
# NOTE: WhatsApp: sent with the main menu when a photo or voice note arrives without words.
MEDIA = pgettext(
    "notice.media",
    "This line reads only text, not photos or voice messages. Please write your question in words "
    "or reply with a number. To talk to a person, choose that option on the menu below.",
)
# NOTE: First line of a reply whose language the line told from the resident's words. Keep
# the English word LANGUAGE (it works in every language) and add your language's word.
WRONG_LANGUAGE = pgettext("notice.language", "Not your language? Reply LANGUAGE.")
SLOW_DOWN = pgettext(
    "notice.slow_down",
    "You have sent many messages. Please wait a few minutes, then text again. "
    "In an emergency, call 911.",
)
HELP = pgettext(
    "notice.help",
    "A free line with information for immigrants in Chicago, in your language. Not legal "
    "advice. The line keeps nothing about you; Twilio and your phone company keep their own "
    "records. In an emergency, call 911.",
)
SHORT_CODE_HELP = pgettext("sms.shortcode.help", "Msg&data rates may apply. Reply STOP to cancel.")
# Sent whenever the line itself confirms an opt-out: on WhatsApp and a short code, and by SMS
# for any word Twilio does not handle (ALTO, СТОП). Its context keeps the first use's name.
STOPPED = pgettext(
    "sms.shortcode.stop",
    "You will get no more messages from this line. Reply START to use it again.",
)

FALLBACK_SMS = pgettext(
    "fallback.sms",
    "Sorry, the line has a problem right now. Please text again in a few minutes. "
    "In an emergency, call 911.",
)
FALLBACK_VOICE = pgettext(
    "fallback.voice",
    "Sorry, the line has a problem right now. Please call again in a few minutes. "
    "In an emergency, hang up and call 9 1 1.",
)

# Voice: said by the language's Twilio voice. Keys are the same in every language:
# * repeat, 0 main menu, # back (the SMS convention); 9 on the language choice.
VOICE_WELCOME = pgettext("voice.welcome", "Welcome to the information line for immigrants in Chicago.")
# NOTE: Say the name of YOUR language, in your language: "Para español, oprima {digit}."
VOICE_LANGUAGE = pgettext("voice.language", "For English, press {digit}.")
VOICE_OTHER_LANGUAGES = pgettext("voice.language.more", "For other languages, press 9.")
# NOTE: {label} is a menu option's title.
VOICE_PRESS = pgettext("voice.press", "For {label}, press {digit}.")
VOICE_FOOTER_MAIN = pgettext("voice.footer.main", "To hear this again, press star.")
VOICE_FOOTER_MENU = pgettext(
    "voice.footer.menu",
    "To hear this again, press star. To go back, press the pound key. For the main menu, press 0.",
)
VOICE_FOOTER_PAGE = pgettext(
    "voice.footer.page",
    "To hear this again, press star. For the main menu, press 0. Or stay on the line to go back.",
)
VOICE_SILENCE = pgettext("voice.silence", "Sorry, I did not hear you.")
# NOTE: {name} is a service's name; the call is being connected to it.
VOICE_CONNECTING = pgettext("voice.connecting", "Connecting you to {name}. Please wait.")
# NOTE: {number} is read digit by digit.
VOICE_CALL = pgettext("voice.call", "To reach {name}, hang up and call {number}.")
VOICE_UNANSWERED = pgettext("voice.unanswered", "The line did not answer. You can call {name} later at {number}.")
VOICE_PERSON = pgettext("voice.person", "To talk to a person, press 1.")
VOICE_GOODBYE = pgettext("voice.goodbye", "Thank you for calling. Goodbye.")


ALL: list[Phrase] = [v for v in list(globals().values()) if isinstance(v, Phrase)]
