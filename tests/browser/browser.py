"""Debian's Chromium, headless, driven by Debian's ChromeDriver through Selenium.

No browser or driver is ever downloaded: ``/usr/bin/chromedriver`` is started here on a
loopback port and Selenium talks to it as a remote (so Selenium Manager never runs). The
browser reaches 127.0.0.1 only: every host name but 127.0.0.1 resolves to nothing and every
other address goes to a closed proxy port.

Home Assistant's frontend is custom elements inside shadow roots. ``Browser.find`` takes a
chain of CSS selectors, ``"ha-config-flow-dialog >> ha-form"``: each link is looked for in
the whole composed tree (light DOM and every shadow root) below the previous one, so that
stable names (element names, ``[name=...]``) suffice, and it waits, explicitly, until a
visible match is there.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from .stack import HOST, StackError, free_port, request, stop, wait_until

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 20.0
WINDOW = (1280, 960)

_FIND_JS = r"""
const [chain, text, wantVisible] = arguments;
function roots(node) {
  const found = [node];
  for (const el of node.querySelectorAll('*')) {
    if (el.shadowRoot) found.push(...roots(el.shadowRoot));
  }
  return found;
}
function below(scope, selector) {
  const matches = [];
  const starts = scope.shadowRoot ? [scope, scope.shadowRoot] : [scope];
  for (const start of starts) {
    for (const root of roots(start)) matches.push(...root.querySelectorAll(selector));
  }
  return matches;
}
function flatText(node) {
  if (node.nodeType === Node.TEXT_NODE) return node.data;
  if (![Node.ELEMENT_NODE, Node.DOCUMENT_FRAGMENT_NODE].includes(node.nodeType)) return '';
  if (node.localName === 'style' || node.localName === 'script') return '';
  let children = node.shadowRoot ? node.shadowRoot.childNodes : node.childNodes;
  if (node.localName === 'slot') children = node.assignedNodes({flatten: true});
  return [...children].map(flatText).join(' ');
}
let scopes = [document];
for (const selector of chain) {
  scopes = scopes.flatMap((scope) => below(scope, selector));
}
const seen = new Set();
for (const el of scopes) {
  if (seen.has(el)) continue;
  seen.add(el);
  if (wantVisible && !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
  if (text !== null && !flatText(el).replace(/\s+/g, ' ').includes(text)) continue;
  return el;
}
return null;
"""


_NAVIGATE_JS = """
history.pushState(null, '', arguments[0]);
window.dispatchEvent(new CustomEvent('location-changed', {detail: {replace: false}}));
"""
_SCROLL_JS = "arguments[0].scrollIntoView({block: 'center', inline: 'center'});"


class BrowserError(Exception):
    """The page did not show what the test waited for; the message says what."""


@dataclass
class Browser:
    """One Chromium window and where its screenshots go."""

    driver: webdriver.Remote
    screenshots: Path
    shots: int = 0

    def query(
        self, selector: str, *, text: str | None = None, visible: bool = True
    ) -> WebElement | None:
        """The first element the chain of selectors matches now, or None."""
        chain = [part.strip() for part in selector.split(">>")]
        element: WebElement | None = self.driver.execute_script(_FIND_JS, chain, text, visible)
        return element

    def find(
        self,
        selector: str,
        *,
        text: str | None = None,
        visible: bool = True,
        timeout: float = WAIT,
    ) -> WebElement:
        """Wait until the chain of selectors matches (containing ``text``, if given)."""
        try:
            found: WebElement = WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(
                lambda _driver: self.query(selector, text=text, visible=visible)
            )
        except TimeoutException:
            where = f" containing {text!r}" if text is not None else ""
            raise BrowserError(f"no {selector!r}{where} after {timeout:.0f} s") from None
        return found

    def gone(self, selector: str, *, text: str | None = None, timeout: float = WAIT) -> None:
        """Wait until nothing visible matches the chain of selectors."""
        try:
            WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(
                lambda _driver: self.query(selector, text=text) is None
            )
        except TimeoutException:
            raise BrowserError(f"{selector!r} still shown after {timeout:.0f} s") from None

    def click(self, selector: str, *, text: str | None = None, timeout: float = WAIT) -> None:
        """Click the element once it is there, enabled and takes clicks (dialogs animate in)."""
        refused: list[str] = []

        def clicked(_driver: Any) -> bool:
            element = self.query(selector, text=text)
            if element is None or element.get_property("disabled"):
                return False
            try:
                # The frontend scrolls inside its own panels, where ChromeDriver's scrolling
                # into view falls short.
                self.driver.execute_script(_SCROLL_JS, element)
                element.click()
            except (
                ElementClickInterceptedException,
                ElementNotInteractableException,
                StaleElementReferenceException,
            ) as err:
                refused.append(err.msg or type(err).__name__)
                return False
            return True

        try:
            WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(clicked)
        except TimeoutException:
            where = f" containing {text!r}" if text is not None else ""
            last = f": {refused[-1]}" if refused else ": never there and enabled"
            raise BrowserError(
                f"could not click {selector!r}{where} in {timeout:.0f} s{last}"
            ) from None

    def fill(self, selector: str, value: str) -> None:
        """Type into the box the chain of selectors ends at (``input``, ``textarea``, editor).

        What was there is selected and typed over, as a person does: the frontend's fields
        take their value from key and input events, which ``WebElement.clear`` does not fire.
        One ``send_keys`` call: before each, ChromeDriver puts the caret at the end of a box
        that is not the document's active element, which a box in a shadow root never is.
        """
        box = self.find(selector)
        box.send_keys(Keys.CONTROL, "a", Keys.NULL, Keys.DELETE, value)
        if box.tag_name not in ("input", "textarea"):
            return
        if (typed := box.get_property("value")) != value:
            raise BrowserError(f"{selector!r} holds {typed!r} after typing {value!r}")

    def shot(self, name: str) -> Path:
        """Save a screenshot ``NN-name.png``; return its path."""
        self.shots += 1
        path = self.screenshots / f"{self.shots:02d}-{name}.png"
        if not self.driver.save_screenshot(str(path)):
            raise BrowserError(f"could not save {path}")
        return path

    def open(self, url: str) -> None:
        """Load a page."""
        self.driver.get(url)

    def navigate(self, path: str) -> None:
        """Go to a path inside the running frontend, as its own links do (no reload)."""
        self.driver.execute_script(_NAVIGATE_JS, path)
        wanted = path.split("?", 1)[0]
        try:
            WebDriverWait(self.driver, WAIT, poll_frequency=0.2).until(
                lambda driver: driver.execute_script("return location.pathname") == wanted
            )
        except TimeoutException:
            raise BrowserError(f"the frontend did not go to {path}") from None

    def value(self, selector: str) -> Any:
        """The ``value`` property of the element the chain of selectors matches."""
        return self.find(selector).get_property("value")

    def wait_value(self, selector: str, value: str, *, timeout: float = WAIT) -> None:
        """Wait until the element the chain of selectors matches has this ``value``."""

        def holds(_driver: Any) -> bool:
            element = self.query(selector, visible=False)
            return element is not None and element.get_property("value") == value

        try:
            WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(holds)
        except TimeoutException:
            raise BrowserError(f"{selector!r} never held {value!r} in {timeout:.0f} s") from None

    def console(self) -> list[str]:
        """What the page logged to its console since the last call."""
        entries = self.driver.execute("getLog", {"type": "browser"})["value"]
        return [f"{entry['level']} {entry['message']}" for entry in entries]


def chromium_options(profile: Path) -> webdriver.ChromeOptions:
    """Headless Debian Chromium that reaches loopback only."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # root, in a container
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--force-device-scale-factor=1",
        "--lang=en-US",
        f"--user-data-dir={profile}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--disable-extensions",
        f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {HOST}",
        "--proxy-server=http://127.0.0.1:9",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


@contextlib.contextmanager
def start_browser(workdir: Path, screenshots: Path) -> Iterator[Browser]:
    """Start ChromeDriver and one headless Chromium; quit both on exit."""
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not binary.exists():
            raise StackError(f"{binary} is missing: run ./scripts/setup --browser")
    port = free_port()
    with (workdir / "chromedriver.log").open("wb") as log:
        driver_process = subprocess.Popen(  # noqa: S603  (a fixed binary, fixed arguments)
            [str(CHROMEDRIVER), f"--port={port}", f"--allowed-ips={HOST}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    url = f"http://{HOST}:{port}"
    try:

        def ready() -> bool | None:
            if driver_process.poll() is not None:
                raise StackError(f"chromedriver exited with code {driver_process.returncode}")
            with contextlib.suppress(StackError):
                return True if request("GET", f"{url}/status")["value"]["ready"] else None
            return None

        wait_until("chromedriver", 15.0, ready)
        driver = webdriver.Remote(
            command_executor=url, options=chromium_options(workdir / "chrome")
        )
        try:
            yield Browser(driver, screenshots)
        finally:
            driver.quit()
    finally:
        stop(driver_process)
