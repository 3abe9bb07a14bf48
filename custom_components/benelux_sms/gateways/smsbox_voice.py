"""SMSBOX's voice API: a text read out in a phone call (gateway-docs/smsbox.txt, "Voice bericht
versturen").

``POST {base}/voice/send`` takes a form with one ``number`` (country code and number), the
``message``, ``lang`` (``NL``, ``FR`` or ``EN``; NL when left out) and optionally ``gender``
(``M``/``F``, M when left out) and ``send_at``. It answers ``{"code": 10, "message": "Voice is
sent", "number"}``; any other code is the document's refusal: 20/21 the key, 30 no number,
40 no message, 50 "Send voice failed", 60 credits too low. The reply has no id, so no report
follows a call.

What is not used, and why: ``send_at`` ("at an invalid date/time the current one is taken"):
a call meant for later that went out at once could not be told apart from one that waited.
``gender``: the document's default voice. ``tts``/``ttslng`` on ``sendsms`` ("SMS to voice
call") would be charged and answered as an SMS, with only the SMS's codes to tell a failed call
by; the voice API is the document's own for calls and answers as one.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import errors
from .models import VoiceCall

VOICE_PATH = "voice/send"
CODE_CALLED = "10"
LANGUAGES: Mapping[str, str] = {"nl": "NL", "fr": "FR", "en": "EN"}

VOICE_ERRORS: dict[str, type[errors.GatewayError]] = {
    "20": errors.AuthenticationError,
    "21": errors.AuthenticationError,
    "30": errors.InvalidRecipientError,
    # 40 (no message) cannot follow from a checked call; 50 is the gateway's own failure.
    "40": errors.GatewayUnavailableError,
    "50": errors.GatewayUnavailableError,
    "60": errors.InsufficientCreditsError,
}


def check_voice(call: VoiceCall) -> None:
    """Raise ValueError for a call the integration should never hand over (it checks first)."""
    if call.language not in LANGUAGES:
        raise ValueError(f"voice language must be one of {sorted(LANGUAGES)}")
    if not call.recipients or not call.text.strip():
        raise ValueError("a voice call needs a recipient and a text")


def voice_form(call: VoiceCall, recipient: str) -> dict[str, str]:
    """The form of one call: one number, as the document's ``number`` takes it."""
    return {
        "number": recipient.removeprefix("+"),
        "message": call.text,
        "lang": LANGUAGES[call.language],
    }
