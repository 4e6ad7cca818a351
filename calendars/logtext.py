"""Text from outside (a request path, a meeting's title, an error about it) made safe for a
log line: control characters, line breaks and non-ASCII become escapes, so nobody can forge
a log line (``/feeds/%0d%0aX.ics`` logs as ``\\r\\nX``), and it is cut to a length."""

from __future__ import annotations

LIMIT = 200  # characters of the escaped text kept in a log line


def for_log(text: object, limit: int = LIMIT) -> str:
    """``text`` with every character outside printable ASCII escaped (``\\n``, ``\\x1b``,
    ``\\u2028``), backslashes doubled, cut to ``limit`` characters with an ellipsis."""
    escaped = str(text).encode("unicode_escape").decode("ascii")
    return escaped if len(escaped) <= limit else escaped[: limit - 3] + "..."
