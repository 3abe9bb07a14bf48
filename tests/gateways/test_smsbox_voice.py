"""Wire tests for SMSBOX's voice calls and its length count, against smsbox.txt."""

from __future__ import annotations

import aiohttp
import pytest
from aioresponses import aioresponses

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import (
    DeliveryStatus,
    Encoding,
    SendReceipt,
    SentMessage,
    VoiceCall,
)
from custom_components.benelux_sms.gateways.smsbox import SmsBoxGateway

from .conftest import calls, outbound, sent

BASE = "https://core.smsbox.be/api/v1/"
VOICE_URL = BASE + "voice/send"
SEND_URL = BASE + "sendsms"
KEY = "a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuV"
NUMBER = "+32470123456"
OTHER = "+32470654321"


@pytest.fixture
def gateway(session: aiohttp.ClientSession) -> SmsBoxGateway:
    return SmsBoxGateway(session, {"api_key": KEY})


def _called(number: str = "32470123456") -> dict[str, object]:
    """The document's answer: {"code":10, "message":"Voice is sent", "number":"32498765432"}."""
    return {"code": 10, "message": "Voice is sent", "number": number}


def test_capabilities() -> None:
    assert SmsBoxGateway.capabilities.voice is True
    assert SmsBoxGateway.capabilities.scheduling is False


@pytest.mark.parametrize(("language", "lang"), [("nl", "NL"), ("fr", "FR"), ("en", "EN")])
async def test_voice_call_as_the_document_shows(
    gateway: SmsBoxGateway, mock: aioresponses, language: str, lang: str
) -> None:
    """ "POST: https://core.smsbox.be/api/v1/voice/send" with number, message, lang NL/FR/EN."""
    mock.post(VOICE_URL, payload=_called())

    receipt = await gateway.send_voice(VoiceCall((NUMBER,), "Alarm in de woonkamer", language))

    assert receipt == SendReceipt(messages=(SentMessage(NUMBER, None, DeliveryStatus.ACCEPTED),))
    (call,) = calls(mock, "POST", VOICE_URL)
    assert sent(call)["data"] == {
        "number": "32470123456",
        "message": "Alarm in de woonkamer",
        "lang": lang,
    }
    assert call.kwargs["headers"]["X-Api-Key"] == KEY
    # "send_at: Bij een ongeldige datum/tijd wordt standaard de huidige datum/tijd genomen"
    assert "send_at" not in sent(call)["data"]


async def test_one_call_per_recipient(gateway: SmsBoxGateway, mock: aioresponses) -> None:
    """ "number | 32496123456 | mobiele nummer": one number a call."""
    mock.post(VOICE_URL, payload=_called(), repeat=True)
    receipt = await gateway.send_voice(VoiceCall((NUMBER, OTHER), "Alarm", "nl"))
    assert [m.recipient for m in receipt.messages] == [NUMBER, OTHER]
    numbers = [sent(call)["data"]["number"] for call in calls(mock, "POST", VOICE_URL)]
    assert numbers == ["32470123456", "32470654321"]


@pytest.mark.parametrize(
    ("code", "error_class"),
    [
        (20, errors.AuthenticationError),
        (21, errors.AuthenticationError),
        (30, errors.InvalidRecipientError),
        (40, errors.GatewayUnavailableError),
        (50, errors.GatewayUnavailableError),
        (60, errors.InsufficientCreditsError),
        (99, errors.GatewayUnavailableError),
    ],
)
async def test_refusal_codes_are_not_sent(
    gateway: SmsBoxGateway,
    mock: aioresponses,
    code: int,
    error_class: type[errors.GatewayError],
) -> None:
    mock.post(VOICE_URL, payload={"code": code, "message": "refused"})
    with pytest.raises(error_class) as raised:
        await gateway.send_voice(VoiceCall((NUMBER,), "Alarm", "nl"))
    assert type(raised.value) is error_class
    assert errors.definitely_not_sent(raised.value)


async def test_a_lost_reply_is_unknown(gateway: SmsBoxGateway, mock: aioresponses) -> None:
    mock.post(VOICE_URL, status=502, body="Bad gateway")
    with pytest.raises(errors.OutcomeUnknownError):
        await gateway.send_voice(VoiceCall((NUMBER,), "Alarm", "nl"))


async def test_second_recipient_refused_keeps_the_first_call(
    gateway: SmsBoxGateway, mock: aioresponses
) -> None:
    mock.post(VOICE_URL, payload=_called())
    mock.post(VOICE_URL, payload={"code": 60, "message": "Credits low"})
    with pytest.raises(errors.PartialSendError) as raised:
        await gateway.send_voice(VoiceCall((NUMBER, OTHER), "Alarm", "nl"))
    assert [m.recipient for m in raised.value.receipt.messages] == [NUMBER]
    assert raised.value.not_sent == (OTHER,)


@pytest.mark.parametrize(
    "call",
    [
        VoiceCall((NUMBER,), "Alarm", "de"),
        VoiceCall((NUMBER,), "  ", "nl"),
        VoiceCall((), "Alarm", "nl"),
    ],
)
async def test_a_call_it_cannot_make_calls_nobody(
    gateway: SmsBoxGateway, mock: aioresponses, call: VoiceCall
) -> None:
    with pytest.raises(ValueError, match="voice"):
        await gateway.send_voice(call)
    assert calls(mock, "POST", VOICE_URL) == []


# --- length: "De volgende tekens tellen voor 2 tekens \r\n, [, \, ], ^, {, |, }, ~, €" ---


@pytest.mark.parametrize("char", list("€[\\]^{|}~"))
async def test_characters_counted_twice_toward_918(
    gateway: SmsBoxGateway, mock: aioresponses, char: str
) -> None:
    """460 of them count as 920 (over "longsms=1, bericht max. 918 tekens"): nothing is sent."""
    text = char * 460
    with pytest.raises(errors.MessageTooLongError):
        await gateway.send(outbound(NUMBER, text=text, encoding=Encoding.GSM7, segments=7))
    assert calls(mock, "POST", SEND_URL) == []


async def test_918_counted_is_still_sent(gateway: SmsBoxGateway, mock: aioresponses) -> None:
    mock.post(SEND_URL, payload={"code": 100, "message": [{"number": "32470123456", "msgid": 1}]})
    text = "€" * 459  # 918 as SMSBOX counts
    await gateway.send(outbound(NUMBER, text=text, encoding=Encoding.GSM7, segments=7))
    assert len(calls(mock, "POST", SEND_URL)) == 1


async def test_80_escape_characters_need_longsms(
    gateway: SmsBoxGateway, mock: aioresponses
) -> None:
    """Eighty € are 160 characters long as the document counts them; 81 are over 160."""
    mock.post(SEND_URL, payload={"code": 100, "message": []}, repeat=True)
    # One part as a count by characters would have it; the document's count decides.
    await gateway.send(outbound(NUMBER, text="€" * 81, encoding=Encoding.GSM7, segments=1))
    (call,) = calls(mock, "POST", SEND_URL)
    assert sent(call)["data"]["longsms"] == "1"


async def test_test_number_receipt_says_test(gateway: SmsBoxGateway, mock: aioresponses) -> None:
    """ "Je kan als nummer 3211111111 gebruiken ... zonder dat er effectief een SMS verzonden
    wordt"."""
    mock.post(SEND_URL, payload={"code": 100, "message": [{"number": "3211111111", "msgid": 1}]})
    receipt = await gateway.send(outbound("+3211111111"))
    assert receipt.test is True
