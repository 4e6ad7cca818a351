"""A dispatcher asked to stop finishes the message in flight before it stops.

Killing a dispatcher between the server's acceptance of a message and our record of it would
send that message again on the next run. So a stop becomes a request that the dispatch loop
checks between messages: it records what it sent, gives back what it claimed but did not
send, and returns; only then does the stop go on.

A stop arrives in one of two ways, and both are handled:

- **A signal nobody else handles** (SIGTERM with its default action: ``kill``, systemd, a
  plain ``ccm-tracker remind``; SIGINT with Python's default: Ctrl-C). ``stop_requests()``
  installs a handler that only raises the flag, and at the end delivers the same signal again
  to the previous handler, so the process still stops, a moment later and with nothing in
  flight.
- **An exception raised in the main thread by someone else's handler**, above all Prefect's:
  a flow run owns SIGTERM, and its cancellation protocol needs its own handler in place (its
  control listener checks for it before acknowledging "cancel"), which then raises
  ``TerminationSignal`` wherever the main thread is. ``StopRequest.run`` therefore runs the
  dispatch loop on a helper thread while the main thread waits: the exception lands in the
  wait, becomes the flag, and is raised again, unchanged, once the loop has returned. Prefect
  then marks the run Cancelled as it would have.

Signals belong to the main thread: elsewhere (a dispatcher in a worker thread) nothing is
installed, the loop runs inline and ``requested`` stays false.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from types import FrameType
from typing import TypeVar

T = TypeVar("T")


class StopRequest:
    def __init__(self) -> None:
        self.signal: int | None = None  # a signal our handler took: delivered again at the end
        self.exception: BaseException | None = None  # raised in the main thread: raised again

    @property
    def requested(self) -> bool:
        return self.signal is not None or self.exception is not None

    @property
    def reason(self) -> str:
        if self.signal is not None:
            return signal.Signals(self.signal).name
        return type(self.exception).__name__ if self.exception is not None else ""

    def run(self, work: Callable[[], T]) -> T:
        """``work()``, which checks ``requested`` between messages, shielded from exceptions
        that a signal handler raises in the main thread (see the module docstring)."""
        if threading.current_thread() is not threading.main_thread():
            return work()
        context = contextvars.copy_context()  # e.g. Prefect's run context, for its loggers
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ccm-dispatch") as helper:
            future = helper.submit(context.run, work)
            while True:
                try:
                    value = future.result()
                    break
                except BaseException as interruption:
                    if future.done():
                        raise  # work's own error, or a stop that came once all was recorded
                    self._request(exception=interruption)
        if self.exception is not None:
            raise self.exception
        return value

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self._request(signum=signum)

    def _request(self, *, signum: int | None = None, exception: BaseException | None = None) -> None:
        """Keep the first signal and the first exception; say so once, at once, so whoever
        asked knows why the process does not stop at once."""
        first = not self.requested
        self.signal = self.signal or signum
        self.exception = self.exception or exception
        if first:
            os.write(2, f"ccm-tracker: stop asked for ({self.reason}): finishing the message in "
                        "flight, then stopping\n".encode())


@contextlib.contextmanager
def stop_requests() -> Iterator[StopRequest]:
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return
    ours = {
        signum: signal.signal(signum, request._handle)
        for signum, default in ((signal.SIGTERM, signal.SIG_DFL), (signal.SIGINT, signal.default_int_handler))
        if signal.getsignal(signum) is default
    }
    try:
        yield request
    finally:
        for signum, handler in ours.items():
            signal.signal(signum, handler)
        if request.signal is not None:
            signal.raise_signal(request.signal)
