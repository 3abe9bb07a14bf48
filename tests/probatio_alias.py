"""pytest plugin: run the suite the way Home Assistant 2026.11 runs, with probatio as voluptuous.

Home Assistant 2026.11 maps ``import voluptuous`` to probatio's shim at start-up. Loaded
with ``-p tests.probatio_alias``, this plugin does the same before anything imports
voluptuous (``-p`` plugins load before the Home Assistant test plugin).
"""

from __future__ import annotations

from probatio.compat import install_as_voluptuous

install_as_voluptuous()


def pytest_report_header() -> str:
    """Say which validation engine the run uses."""
    return "validation engine: probatio (voluptuous aliased, as in Home Assistant 2026.11)"
