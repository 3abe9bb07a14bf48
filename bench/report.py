"""The benchmark's results, its bounds and the one table it prints."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

MAX_RATIO = 1.3
"""Integration / bare aiohttp, median per send."""
CREDITS_REQUESTS_PER_MINUTE = 1
TOKEN_REQUESTS = 1
FAN_OUT_RECIPIENTS = 100


@dataclass(slots=True)
class GatewayResult:
    """What one gateway's run measured."""

    provider: str
    sends: int
    integration_us: float
    bare_us: float
    integration_cpu_us: float
    bare_cpu_us: float
    """CPU time per send (the process's, simulator included): steadier than wall time on a
    shared machine; reported, no bound."""
    rest_command_us: float | None
    """Home Assistant's own rest_command making the same request (median per send); None
    where one rest_command cannot make it (KPN: an OAuth token has to be fetched first)."""
    sending_seconds: float
    credits_requests: int | None
    """None where the gateway has no credits call."""
    token_requests: int | None
    """None where the gateway takes no token."""
    fan_out_requests: int
    fan_out_expected: int
    fan_out_ms: float
    setup_ms: float
    blocking_calls: int
    """Lines the blocking-call detector logged naming this integration (reported, no bound)."""
    same_wire: bool
    """The bare requests were the integration's, byte for byte."""
    misses: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """Integration over bare aiohttp, median per send."""
        return self.integration_us / self.bare_us

    @property
    def rest_command_ratio(self) -> float | None:
        """Integration over rest_command, median per send (no bound: the goal is <= 1)."""
        if self.rest_command_us is None:
            return None
        return self.integration_us / self.rest_command_us

    @property
    def cpu_ratio(self) -> float:
        """Integration over bare aiohttp, median CPU time per send."""
        return self.integration_cpu_us / self.bare_cpu_us

    @property
    def credits_allowed(self) -> int:
        """At most one credits request per (started) minute of sending."""
        minutes = math.ceil(self.sending_seconds / 60)
        return max(1, minutes) * CREDITS_REQUESTS_PER_MINUTE

    def check(self, *, timed: bool) -> list[str]:
        """Return (and keep) the bounds this run missed; the ratio only when ``timed``."""
        misses = []
        if not self.same_wire:
            misses.append("the bare requests differ from the integration's")
        if timed and self.ratio > MAX_RATIO:
            misses.append(f"ratio {self.ratio:.2f} > {MAX_RATIO}")
        if self.credits_requests is not None and self.credits_requests > self.credits_allowed:
            misses.append(f"{self.credits_requests} credits requests > {self.credits_allowed}")
        if self.token_requests is not None and self.token_requests != TOKEN_REQUESTS:
            misses.append(f"{self.token_requests} token requests != {TOKEN_REQUESTS}")
        if self.fan_out_requests != self.fan_out_expected:
            misses.append(
                f"{self.fan_out_requests} requests for {FAN_OUT_RECIPIENTS} recipients"
                f" != {self.fan_out_expected}"
            )
        self.misses = misses
        return misses


HEADER = (
    "| gateway | sends | integration µs | bare µs | ratio | rest_command µs"
    " | integration / rest_command | CPU ratio | credits requests (allowed)"
    f" | token requests | requests for {FAN_OUT_RECIPIENTS} recipients (⌈n / limit⌉)"
    f" | {FAN_OUT_RECIPIENTS}-recipient send ms | async_setup_entry ms | blocking calls logged |"
)


def table(results: list[GatewayResult]) -> list[str]:
    """The Markdown table of every gateway's run, with what each missed below it."""
    lines = [HEADER, "|" + " --- |" * HEADER.count(" | ") + " --- |"]
    lines.extend(_row(result) for result in results)
    for result in results:
        lines.extend(f"MISSED {result.provider}: {miss}" for miss in result.misses)
    return lines


def _row(result: GatewayResult) -> str:
    credits = (
        "-"
        if result.credits_requests is None
        else f"{result.credits_requests} ({result.credits_allowed})"
    )
    tokens = "-" if result.token_requests is None else str(result.token_requests)
    cells = (
        result.provider,
        str(result.sends),
        f"{result.integration_us:.0f}",
        f"{result.bare_us:.0f}",
        f"{result.ratio:.2f}",
        "-" if result.rest_command_us is None else f"{result.rest_command_us:.0f}",
        "-" if (rest := result.rest_command_ratio) is None else f"{rest:.2f}",
        f"{result.cpu_ratio:.2f}",
        credits,
        tokens,
        f"{result.fan_out_requests} ({result.fan_out_expected})",
        f"{result.fan_out_ms:.1f}",
        f"{result.setup_ms:.1f}",
        str(result.blocking_calls),
    )
    return "| " + " | ".join(cells) + " |"


AT_ONCE_SENDS = 10
BARE_CONCURRENCY = 5


@dataclass(slots=True)
class AtOnceResult:
    """Ten sends at once through one account, each request held by the simulator."""

    provider: str
    hold_seconds: float
    integration_ms: float
    """Ten ``send_sms`` calls at once, until the last answered."""
    bare_ms: float
    """The same ten requests made with bare aiohttp, five at a time."""
    send_requests: int
    """Send requests the simulator received from the ten calls."""
    misses: list[str] = field(default_factory=list)

    def check(self, *, timed: bool) -> list[str]:
        """Return (and keep) the bounds missed: ten requests; timed, faster than five at a time.

        Ten at once take about one hold, five at a time two: the bound is 1.5 holds.
        """
        misses = []
        if self.send_requests != AT_ONCE_SENDS:
            misses.append(f"{self.send_requests} send requests for {AT_ONCE_SENDS} sends")
        if timed and self.integration_ms > 1.5 * self.hold_seconds * 1000:
            misses.append(
                f"{AT_ONCE_SENDS} sends at once took {self.integration_ms:.0f} ms"
                f" > 1.5 x the {self.hold_seconds} s hold"
            )
        self.misses = misses
        return misses


AT_ONCE_HEADER = (
    f"| gateway | hold s | {AT_ONCE_SENDS} send_sms at once ms"
    f" | {AT_ONCE_SENDS} bare, {BARE_CONCURRENCY} at a time ms | send requests |"
)


def at_once_table(results: list[AtOnceResult]) -> list[str]:
    """The Markdown table of the sends-at-once runs, with what each missed below it."""
    lines = [AT_ONCE_HEADER, "|" + " --- |" * (AT_ONCE_HEADER.count(" | ") + 1)]
    lines.extend(
        f"| {r.provider} | {r.hold_seconds} | {r.integration_ms:.0f} | {r.bare_ms:.0f}"
        f" | {r.send_requests} ({AT_ONCE_SENDS}) |"
        for r in results
    )
    for result in results:
        lines.extend(f"MISSED {result.provider} at once: {miss}" for miss in result.misses)
    return lines
