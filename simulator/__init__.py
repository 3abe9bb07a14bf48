"""Loopback simulators of the gateways' HTTP APIs, for tests and the demo. Never shipped.

``python -m simulator [--port N]`` serves them; ``simulator.app.start_simulator()`` does the
same inside a running event loop. ``simulator/app.py`` documents the ``/_sim`` control API,
``faults.py`` the faults it can switch on, ``segments.py`` how the gateways count parts (on
their own: nothing here imports the integration, so an integration bug cannot hide behind
shared code). ``simulator/demo/`` is the end-to-end demo, ``scripts/develop`` and the Home
Assistant client tests can reuse.
"""
