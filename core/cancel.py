"""Cancelling a running call: whoever starts work (the chat, the server) sets a ``threading.Event`` for the
current context with ``cancelling``; every tool stage checks it (``ToolContext.check_deadline``) and stops
with ``CANCELLED``. A context variable, so concurrent requests each have their own.

>>> import threading
>>> stop = threading.Event()
>>> with cancelling(stop):
...     stop.set()
...     requested()
True
>>> requested()
False
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_CURRENT: ContextVar[threading.Event | None] = ContextVar("atelier_cancel", default=None)


@contextmanager
def cancelling(event: threading.Event) -> Iterator[threading.Event]:
    token = _CURRENT.set(event)
    try:
        yield event
    finally:
        _CURRENT.reset(token)


def requested() -> bool:
    event = _CURRENT.get()
    return event is not None and event.is_set()
