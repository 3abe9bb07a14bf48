"""Writes of an account's stored data, coalesced to a fixed deadline.

``Store.async_delay_save`` alone starts its delay again with every change: sends that keep
coming (an alarm storm, a looping automation) would keep what they changed off the disk for
as long as they come. Here the first change since the last write sets the deadline, and the
changes until then are written together with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from homeassistant.helpers.storage import Store


class CoalescedWrites[T: Mapping[str, Any] | Sequence[Any]]:
    """Write ``data()`` to ``store`` at most ``delay`` seconds after a change."""

    def __init__(self, store: Store[T], data: Callable[[], T], delay: float) -> None:
        self._store = store
        self._data = data
        self._delay = delay
        self._scheduled = False

    def schedule(self) -> None:
        """Have the data written by the deadline the first unwritten change set."""
        if self._scheduled:
            return
        self._scheduled = True
        self._store.async_delay_save(self._data_to_write, self._delay)

    async def async_write_now(self) -> None:
        """Write the data now (the account unloads); a scheduled write is replaced by it."""
        self._scheduled = False
        await self._store.async_save(self._data())

    def _data_to_write(self) -> T:
        self._scheduled = False
        return self._data()
