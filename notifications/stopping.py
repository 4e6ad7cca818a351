"""A dispatcher asked to stop finishes the message in flight before it stops.

SIGTERM is how a stop is asked for: Prefect cancelling a flow run, a worker shutting down,
``kill``, systemd. Ctrl-C sends SIGINT. Killing a dispatcher between the server's acceptance
of a message and our record of it would send that message again on the next run, so inside
``stop_requests()`` both signals only raise a flag: the dispatch loop checks it between
messages, records what it sent, puts back what it claimed but did not send, and leaves the
block. The signal is then delivered again to whatever handled it before (Prefect's handler,
Python's KeyboardInterrupt, or the default: the process ends), so the stop still happens,
a moment later and with nothing in flight.

Signal handlers belong to the main thread: elsewhere (a dispatcher in a worker thread), the
block does nothing and ``requested`` stays false.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopRequest:
    def __init__(self) -> None:
        self.signal: int | None = None

    @property
    def requested(self) -> bool:
        return self.signal is not None

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.signal = self.signal or signum


@contextlib.contextmanager
def stop_requests() -> Iterator[StopRequest]:
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return
    previous = {signum: signal.signal(signum, request._handle) for signum in SIGNALS}
    try:
        yield request
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        if request.signal is not None:
            signal.raise_signal(request.signal)
