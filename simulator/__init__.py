"""Loopback simulators of the gateways' HTTP APIs, for tests and the demo. Never shipped.

``python -m simulator [--port N]`` serves them; ``simulator.app.start_simulator()`` does the
same inside a running event loop. See ``simulator/app.py`` for the ``/_sim`` control API.
"""
