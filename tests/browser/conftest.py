"""The browser test runs only when asked for: ``pytest -m browser`` (``scripts/test-browser``).

pyproject's addopts deselect the ``browser`` marker in every other run. Nothing here imports
Selenium, so the normal suite collects this folder without it installed.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No in-process Home Assistant here: the test drives a real ``hass`` in a browser."""
