"""Wire tests for 1601SMS's outbox (scheduled sends, their cancel) and ``referentie``, against
1601sms.txt."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from aioresponses.core import RequestCall

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.sms1601 import (
    CONF_PASSWORD,
    CONF_USERNAME,
    Sms1601Gateway,
)

from .conftest import all_calls, outbound, sent

ENDPOINT = "http://217.19.227.48/module/gateway.php"
ANY_CALL = re.compile(re.escape(ENDPOINT) + r".*")
# 2099-01-15 10:30 in Amsterdam (winter time, UTC+1)
SEND_AT = datetime(2099, 1, 15, 9, 30, tzinfo=UTC)


def _gateway(session: aiohttp.ClientSession, **kwargs: Any) -> Sms1601Gateway:
    credentials = {CONF_USERNAME: "Jansen-BV", CONF_PASSWORD: "secret"}
    return Sms1601Gateway(session, credentials, **kwargs)


def _sms(**changes: Any) -> Any:
    return replace(outbound(sender="HomeAlarm"), **changes)


def _only_call(mock: aioresponses) -> tuple[dict[str, str], dict[str, str], RequestCall]:
    """The one request made: its query, its form body and the call."""
    ((method, url),) = all_calls(mock)
    assert method == "POST"
    (call,) = mock.requests[(method, url)]
    return dict(url.query), sent(call)["data"], call


def test_capabilities() -> None:
    capabilities = Sms1601Gateway.capabilities
    assert capabilities.scheduling is True
    assert capabilities.reference is True
    assert capabilities.max_reference_length == 75  # "with a max of 75 characters"
    assert capabilities.voice is capabilities.validity is False
    assert capabilities.inbound_registration is False


async def test_schedule_as_the_document_shows(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    """ "datum=201510261215&outboxid=ja / You will receive OK + a unique outboxID"."""
    mock.post(ANY_CALL, body="OK 7654321\n")

    outbox_id = await _gateway(session).schedule(_sms(reference="hb-1"), SEND_AT)

    assert outbox_id == "7654321"
    query, form, _ = _only_call(mock)
    assert query == {"datum": "209901151030", "outboxid": "ja", "emailen": "nee"}
    assert form["bericht"] == "Hallo"
    assert form["naar"] == "31612345678"
    assert form["afzender"] == "HomeAlarm"
    assert form["referentie"] == "hb-1"
    # Its reply's one id must be the outbox id: no delivery=ja beside it.
    assert "delivery" not in query


@pytest.mark.parametrize(
    ("send_at", "datum"),
    [
        pytest.param(datetime(2099, 7, 15, 8, 30, tzinfo=UTC), "209907151030", id="summer"),
        pytest.param(datetime(2099, 1, 15, 9, 30, 1, tzinfo=UTC), "209901151031", id="rounded-up"),
        pytest.param(
            datetime(2099, 1, 15, 10, 30, tzinfo=UTC).astimezone(timezone(timedelta(hours=2))),
            "209901151130",
            id="other-zone",
        ),
    ],
)
async def test_datum_is_dutch_local_time_never_early(
    session: aiohttp.ClientSession, mock: aioresponses, send_at: datetime, datum: str
) -> None:
    mock.post(ANY_CALL, body="OK 1")
    await _gateway(session).schedule(_sms(), send_at)
    query, _, _ = _only_call(mock)
    assert query["datum"] == datum


async def test_long_and_test_mode_switches_go_with_a_schedule(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    mock.post(ANY_CALL, body="OK 1")
    await _gateway(session, test_mode=True).schedule(_sms(text="a" * 200, segments=2), SEND_AT)
    query, _, _ = _only_call(mock)
    assert query["type"] == "long"
    assert query["test"] == "ja"


@pytest.mark.parametrize(
    "send_at",
    [
        pytest.param(datetime(2000, 1, 1, tzinfo=UTC), id="past"),
        pytest.param(datetime(2099, 1, 15, 10, 30), id="naive"),
    ],
)
async def test_a_time_the_gateway_would_refuse_sends_nothing(
    session: aiohttp.ClientSession, mock: aioresponses, send_at: datetime
) -> None:
    with pytest.raises(errors.InvalidScheduleError):
        await _gateway(session).schedule(_sms(), send_at)
    assert all_calls(mock) == []


async def test_error_121_is_an_invalid_schedule(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    """ "121 You scheduled a message on a predefined date / time but the date is in the past or
    is not correct!"."""
    mock.post(ANY_CALL, body="ERROR 121\n")
    with pytest.raises(errors.InvalidScheduleError) as raised:
        await _gateway(session).schedule(_sms(), SEND_AT)
    assert errors.definitely_not_sent(raised.value)


async def test_schedule_refusals_are_a_sends(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    mock.post(ANY_CALL, body="ERROR 108\n")
    with pytest.raises(errors.InsufficientCreditsError):
        await _gateway(session).schedule(_sms(), SEND_AT)


@pytest.mark.parametrize("body", ["OK", "OK abc", "<html>Onderhoud</html>"])
async def test_schedule_without_an_outbox_id_is_unknown(
    session: aiohttp.ClientSession, mock: aioresponses, body: str
) -> None:
    """An OK without an id may have scheduled a message nobody can cancel: never repeat it."""
    mock.post(ANY_CALL, body=body)
    with pytest.raises(errors.GatewayError) as raised:
        await _gateway(session).schedule(_sms(), SEND_AT)
    assert not errors.definitely_not_sent(raised.value)


@pytest.mark.parametrize("status", [500, 504])
async def test_schedule_lost_on_the_way_is_unknown(
    session: aiohttp.ClientSession, mock: aioresponses, status: int
) -> None:
    mock.post(ANY_CALL, status=status, body="<h1>Error</h1>")
    with pytest.raises(errors.OutcomeUnknownError):
        await _gateway(session).schedule(_sms(), SEND_AT)


async def test_schedule_over_one_request_is_refused(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    many = tuple(f"+3161234{index:04d}" for index in range(101))
    with pytest.raises(errors.InvalidRecipientError):
        await _gateway(session).schedule(_sms(recipients=many), SEND_AT)
    assert all_calls(mock) == []


async def test_cancel_as_the_document_shows(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    """ "action=verwijderbericht&id=OUTBOXID" ... "This action will return : OK"."""
    mock.post(ANY_CALL, body="OK\n")

    await _gateway(session).cancel_scheduled("7654321")

    query, form, _ = _only_call(mock)
    assert query == {"action": "verwijderbericht"}
    assert form["id"] == "7654321"
    assert form["klantuser"] == "Jansen-BV"


async def test_cancel_error_122_is_schedule_not_found(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    """ "122 You tried to remove a message from the outbox, but no matching message was found"."""
    mock.post(ANY_CALL, body="ERROR 122\n")
    with pytest.raises(errors.ScheduleNotFoundError):
        await _gateway(session).cancel_scheduled("7654321")


@pytest.mark.parametrize("schedule_id", ["", "abc", "12 34", "1" * 21])
async def test_cancel_of_an_id_the_gateway_never_gives(
    session: aiohttp.ClientSession, mock: aioresponses, schedule_id: str
) -> None:
    with pytest.raises(errors.ScheduleNotFoundError):
        await _gateway(session).cancel_scheduled(schedule_id)
    assert all_calls(mock) == []


async def test_cancel_with_a_reply_that_makes_no_sense(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    mock.post(ANY_CALL, body="<html>Onderhoud</html>")
    with pytest.raises(errors.GatewayUnavailableError):
        await _gateway(session).cancel_scheduled("7654321")


async def test_send_carries_the_reference(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    """ "referentie=12345678 Your reference (with a max of 75 characters)"."""
    mock.post(ANY_CALL, body="OK 1234567")
    await _gateway(session).send(_sms(reference="r" * 75))
    query, form, _ = _only_call(mock)
    assert query == {"delivery": "ja"}
    assert form["referentie"] == "r" * 75


async def test_reference_over_75_is_refused_before_sending(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    with pytest.raises(errors.MessageTooLongError):
        await _gateway(session).send(_sms(reference="r" * 76))
    assert all_calls(mock) == []


async def test_test_mode_receipt_says_test(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    """ "test=ja ... effectively won't send an sms. No credits will be deducted."."""
    mock.post(ANY_CALL, body="OK 1234567", repeat=True)
    assert (await _gateway(session, test_mode=True).send(_sms())).test is True
    assert (await _gateway(session).send(_sms())).test is False
