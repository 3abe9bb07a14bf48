"""The installed stack: what a real account needs before any gateway answers."""

from __future__ import annotations

from aiohttp.resolver import AsyncResolver
from aiohttp_asyncmdnsresolver.api import AsyncDualMDNSResolver


async def test_home_assistant_resolver_resolves_a_host_name() -> None:
    """A host name resolves through aiodns and pycares, as Home Assistant's web session does.

    Home Assistant 2025.4.4 pins aiodns 3.2.0 but not pycares; pycares 5 breaks every lookup
    of that aiodns (``Channel.getaddrinfo()`` TypeError), so every real gateway address failed.
    "localhost" comes from the hosts file: no network is needed.
    """
    # Home Assistant's session resolver does its DNS half through aiohttp's AsyncResolver.
    assert issubclass(AsyncDualMDNSResolver, AsyncResolver)
    resolver = AsyncResolver()
    try:
        hosts = await resolver.resolve("localhost", 443)
    finally:
        await resolver.close()
    assert {host["host"] for host in hosts} & {"127.0.0.1", "::1"}
    assert {host["port"] for host in hosts} == {443}
