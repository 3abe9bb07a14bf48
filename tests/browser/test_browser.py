"""A new user's way through Home Assistant's own web UI, in headless Chromium.

Log in; turn on advanced mode in the profile; add a Benelux SMS account for SMS Service Center
on the simulator (a wrong key first: the form shows the gateway's refusal; then the
simulator's key); add a recipient on the account; send from Developer tools -> Actions in YAML
mode and read the response; look at the device page. Then check through the REST API and the
simulator what the UI did: the config entry, its notify entity, credits sensor and last
delivery status, and the one message the simulator received.

A screenshot of each step goes to ``tests/browser/screenshots/`` (emptied first).
Run with ``./scripts/test-browser``.
"""

from __future__ import annotations

import json
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from .stack import DOMAIN, INTEGRATION, Stack, start_stack, wait_until

if TYPE_CHECKING:
    from .browser import Browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("socket_enabled")]

SCREENSHOTS = Path(__file__).parent / "screenshots"
GATEWAY = "SMS Service Center"
GATEWAY_PATH = "smsservicecenter/api/v2/"
GOOD_KEY = "sim-good-key"
"""The one key the simulated SMS Service Center takes (simulator/smsservicecenter.py)."""
SENDER = "HomeAlarm"
RECIPIENT = "Alice"
NUMBER = "06 12345678"
NUMBER_E164 = "+31612345678"
MESSAGE = "Freezer at -5 °C"
ENTITY_TIMEOUT = 30.0

FLOW = "dialog-data-entry-flow"
FORM = f"{FLOW} >> step-flow-form"
CREATED = f"{FLOW} >> step-flow-create-entry"
ACTIONS = "developer-tools-action"
ENTITIES_TEMPLATE = (
    f"{{% set ids = integration_entities('{DOMAIN}') %}}"
    "{{ dict(zip(ids, ids | map('config_entry_id'))) | tojson }}"
)


def english() -> dict[str, Any]:
    """The integration's English texts, which the frontend shows."""
    texts: dict[str, Any] = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    return texts


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    """The simulator and an onboarded Home Assistant with its frontend, on 127.0.0.1.

    SIGTERM (scripts/test-browser's time limit) interrupts the test as Ctrl-C does, so that
    hass, the simulator and the browser are stopped.
    """
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with start_stack(tmp_path) as running:
            yield running
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture
def browser(stack: Stack, tmp_path: Path) -> Iterator[Browser]:
    """Headless Debian Chromium, its screenshots in tests/browser/screenshots/."""
    from .browser import start_browser  # noqa: PLC0415  (Selenium: only when this test runs)

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir()
    with start_browser(tmp_path, SCREENSHOTS) as started:
        yield started


@contextmanager
def step(browser: Browser, stack: Stack, name: str) -> Iterator[None]:
    """One step of the way; when it fails, a screenshot and hass's last log lines say where."""
    try:
        yield
    except Exception as err:
        shot = browser.shot(f"FAILED-{name}")
        err.add_note(f"step {name!r} failed; screenshot {shot}")
        err.add_note("browser console:\n" + "\n".join(browser.console()[-20:]))
        if stack.hass_log.exists():
            tail = stack.hass_log.read_text(errors="replace").splitlines()[-40:]
            err.add_note("hass.log (last lines):\n" + "\n".join(tail))
        raise


def log_in(browser: Browser, stack: Stack) -> None:
    """Open Home Assistant and log in as the owner through its login page."""
    browser.open(stack.hass_url)
    browser.fill("ha-auth-flow >> input[name=username]", stack.username)
    browser.fill("ha-auth-flow >> input[name=password]", stack.password)
    browser.shot("login")
    browser.click("ha-auth-flow >> mwc-button", text="Log in")
    # The frontend opens its default panel by itself: wait for it, or it takes over the
    # next navigation.
    browser.find("home-assistant >> ha-panel-lovelace")
    browser.find("home-assistant >> ha-sidebar")


def turn_on_advanced_mode(browser: Browser) -> None:
    """Profile -> Advanced mode, which makes the account form offer the gateway address."""
    browser.navigate("/profile/general")
    switch = "ha-advanced-mode-row >> ha-switch"
    browser.click(switch)
    wait_until(
        "advanced mode on", 10.0, lambda: browser.find(switch).get_property("checked") or None
    )
    browser.shot("profile-advanced-mode")


def open_account_flow(browser: Browser) -> None:
    """Settings -> Devices & services -> Add integration -> search -> Benelux SMS."""
    browser.navigate("/config/integrations/dashboard")
    browser.click("ha-config-integrations-dashboard >> ha-fab")
    browser.fill("dialog-add-integration >> search-input >> input", "Benelux")
    browser.click("dialog-add-integration >> ha-integration-list-item", text="Benelux SMS")
    menu = english()["config"]["step"]["user"]
    browser.find(f"{FLOW} >> step-flow-menu", text=menu["title"])
    browser.shot("flow-gateway-menu")
    browser.click(f"{FLOW} >> step-flow-menu >> mwc-list-item", text=GATEWAY)


def submit_account(browser: Browser, key: str, gateway_url: str) -> None:
    """Fill the gateway's form and submit it."""
    browser.find(FORM, text=GATEWAY)
    browser.fill(f"{FORM} >> input[name=api_key]", key)
    browser.fill(f"{FORM} >> input[name=sender]", SENDER)
    browser.fill(f"{FORM} >> input[name=base_url]", gateway_url)
    browser.click(f"{FORM} >> mwc-button", text="Submit")


def add_account(browser: Browser, stack: Stack) -> None:
    """The account flow: a wrong key is refused in the form, the simulator's key is taken."""
    gateway_url = f"{stack.simulator_url}/{GATEWAY_PATH}"
    open_account_flow(browser)
    submit_account(browser, "wrong-key-0000", gateway_url)
    error = browser.find(f"{FORM} >> ha-alert[alert-type=error]")
    assert error.text.strip() == english()["config"]["error"]["invalid_auth"]
    assert browser.value(f"{FORM} >> input[name=base_url]") == gateway_url
    browser.shot("flow-wrong-key")
    browser.fill(f"{FORM} >> input[name=api_key]", GOOD_KEY)
    browser.click(f"{FORM} >> mwc-button", text="Submit")
    browser.find(CREATED, text=f"Created configuration for {GATEWAY}")
    browser.shot("flow-account-created")
    browser.click(f"{CREATED} >> mwc-button", text="Finish")
    browser.gone(CREATED)


def add_recipient(browser: Browser) -> None:
    """The account's menu on the integration page -> Add recipient."""
    browser.navigate(f"/config/integrations/integration/{DOMAIN}")
    page = "ha-config-integration-page"
    browser.click(f"{page} >> ha-md-list-item >> ha-md-button-menu >> ha-icon-button")
    add = english()["config_subentries"]["recipient"]["initiate_flow"]["user"]
    browser.click(f"{page} >> ha-md-menu-item", text=add)
    browser.find(FORM, text=english()["config_subentries"]["recipient"]["step"]["user"]["title"])
    browser.fill(f"{FORM} >> input[name=name]", RECIPIENT)
    browser.fill(f"{FORM} >> input[name=phone_number]", NUMBER)
    # National numbers are read in the country the form names in the user's language (the
    # frontend's country selector), not in a raw code in the help text.
    browser.find(f"{FORM} >> ha-selector-country", text="Netherlands")
    browser.shot("recipient-form")
    browser.click(f"{FORM} >> mwc-button", text="Submit")
    browser.find(CREATED, text=f"Created configuration for {RECIPIENT}")
    browser.click(f"{CREATED} >> mwc-button", text="Finish")
    browser.gone(CREATED)


def the_entry(stack: Stack) -> dict[str, Any]:
    """The one Benelux SMS config entry."""
    entries = stack.rest("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
    assert len(entries) == 1, entries
    entry: dict[str, Any] = entries[0]
    return entry


def entry_states(stack: Stack, entry_id: str) -> dict[str, dict[str, Any]]:
    """The states of the entry's entities, by entity id."""
    owners = json.loads(stack.rest("POST", "/api/template", {"template": ENTITIES_TEMPLATE}))
    ids = {entity for entity, owner in owners.items() if owner == entry_id}
    states = stack.rest("GET", "/api/states")
    return {state["entity_id"]: state for state in states if state["entity_id"] in ids}


def wait_for_recipient(stack: Stack, entry_id: str) -> None:
    """Adding a recipient reloads the account: wait for its notify entity and the reload."""

    def ready() -> bool | None:
        notify = [e for e in entry_states(stack, entry_id) if e.startswith("notify.")]
        return True if notify and the_entry(stack)["state"] == "loaded" else None

    wait_until(f"a notify entity for {RECIPIENT}", ENTITY_TIMEOUT, ready)


def send_from_developer_tools(browser: Browser, entry_id: str) -> dict[str, Any]:
    """Developer tools -> Actions, YAML mode: send_sms with its response; return the response."""
    browser.navigate("/developer-tools/action")
    browser.click(f"{ACTIONS} >> mwc-button", text="Go to YAML mode")
    action = {
        "action": f"{DOMAIN}.send_sms",
        "data": {"config_entry_id": entry_id, "recipients": [NUMBER], "message": MESSAGE},
    }
    # YAML's flow style, on one line: the editor indents typed line breaks by itself.
    typed = json.dumps(action, ensure_ascii=False)
    browser.fill(f"{ACTIONS} >> ha-yaml-editor >> ha-code-editor >> .cm-content", typed)
    assert yaml.safe_load(browser.value(f"{ACTIONS} >> ha-yaml-editor >> ha-code-editor")) == action
    # The UI mode shows the action's form filled in; back in YAML mode, the editor shows the
    # same action as block YAML.
    browser.click(f"{ACTIONS} >> mwc-button", text="Go to UI mode")
    browser.wait_value(f"{ACTIONS} >> ha-service-control >> textarea", MESSAGE)
    browser.shot("action-ui-mode")
    browser.click(f"{ACTIONS} >> mwc-button", text="Go to YAML mode")
    editor = f"{ACTIONS} >> ha-yaml-editor:not([read-only]) >> ha-code-editor"
    assert yaml.safe_load(browser.value(editor)) == action
    browser.click(f"{ACTIONS} >> ha-progress-button", text="Perform action")
    shown = browser.find(f"{ACTIONS} >> ha-yaml-editor[read-only] >> ha-code-editor")
    wait_until("the action's response", 10.0, lambda: shown.get_property("value") or None)
    browser.shot("action-response")
    response: dict[str, Any] = yaml.safe_load(shown.get_property("value"))
    return response


def one_entity(states: dict[str, dict[str, Any]], prefix: str, suffix: str) -> dict[str, Any]:
    """The one state whose entity id starts with ``prefix`` and ends with ``suffix``."""
    found = [s for e, s in states.items() if e.startswith(prefix) and e.endswith(suffix)]
    assert len(found) == 1, (prefix, suffix, sorted(states))
    return found[0]


def look_at_device(browser: Browser, stack: Stack, sensor: str, credits: str, status: str) -> None:
    """The account's device page: wait until it shows the credits and the delivery status."""
    template = f"{{{{ device_id('{sensor}') }}}}"
    device_id = stack.rest("POST", "/api/template", {"template": template})
    browser.navigate(f"/config/devices/device/{device_id}")
    page = "ha-config-device-page"
    browser.find(page, text=credits)
    browser.find(page, text=status)
    browser.shot("device-page")


def test_add_account_recipient_and_send_in_the_browser(browser: Browser, stack: Stack) -> None:
    """The way through the UI, then what it did, read from the REST API and the simulator."""
    with step(browser, stack, "log in"):
        log_in(browser, stack)
    with step(browser, stack, "advanced mode"):
        turn_on_advanced_mode(browser)
    with step(browser, stack, "add the account"):
        add_account(browser, stack)
    entry = the_entry(stack)
    assert (entry["title"], entry["state"]) == (GATEWAY, "loaded")
    with step(browser, stack, "add the recipient"):
        add_recipient(browser)
        wait_for_recipient(stack, entry["entry_id"])
    with step(browser, stack, "send from developer tools"):
        response = send_from_developer_tools(browser, entry["entry_id"])

    [message] = stack.sim("GET", "/_sim/messages?gateway=smsservicecenter")
    assert (message["numbers"], message["message"], message["sender"]) == (
        [NUMBER_E164],
        MESSAGE,
        SENDER,
    )
    assert response["messages"] == [
        {"recipient": NUMBER_E164, "message_id": message["message_id"], "status": "accepted"}
    ]
    assert response["segments"] == message["segments"] == 1

    entry = the_entry(stack)
    assert (entry["state"], entry["num_subentries"]) == ("loaded", 1)
    states = entry_states(stack, entry["entry_id"])
    notify = one_entity(states, "notify.", "")
    assert notify["attributes"]["friendly_name"] == f"{GATEWAY} {RECIPIENT}"
    status = one_entity(states, "sensor.", "_last_delivery_status")
    assert status["state"] == "accepted"
    assert status["attributes"]["message_id"] == message["message_id"]
    assert status["attributes"]["recipient"] == NUMBER_E164
    balance = stack.sim("GET", "/_sim/credits/smsservicecenter")["credits"]
    assert balance == 100 - message["credits_used"]
    credits_id = one_entity(states, "sensor.", "_credits")["entity_id"]

    def credits_read() -> dict[str, Any] | None:
        state: dict[str, Any] = stack.rest("GET", f"/api/states/{credits_id}")
        return state if state["state"] == str(balance) else None

    credits = wait_until("the credits sensor to read the balance", ENTITY_TIMEOUT, credits_read)
    credits_text = f"{credits['state']} {credits['attributes']['unit_of_measurement']}"
    status_text = english()["entity"]["sensor"]["last_delivery_status"]["state"]["accepted"]
    with step(browser, stack, "device page"):
        look_at_device(browser, stack, credits_id, credits_text, status_text)
