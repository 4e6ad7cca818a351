"""The one base of every refusal a person can act on.

A ``UserError`` is a sentence, not a crash: the command line's entry point (``cli.app.main``)
catches it once, prints ``error: <sentence>`` on stderr and exits with its ``exit_code``:

- 1: a refused fact or operation (the input was understood and is not true or not allowed;
  nothing was written), a database that cannot be used, a file that cannot be written;
- 2: a usage error (an option's value the command does not know: a kind, a status, a State).

Modules raise subclasses named for what was refused (``FactRejected``, ``ImportRejected``, ...);
they never print. Anything that is not a ``UserError`` is a bug: the entry point prints one
line and how to see the traceback (``CCM_DEBUG=1``), and exits 70 (EX_SOFTWARE).
"""

from __future__ import annotations

from collections.abc import Iterable

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_BUG = 70  # sysexits.h EX_SOFTWARE: an error the program did not expect


class UserError(Exception):
    """A refusal: ``str(error)`` is one sentence naming what is wrong (file, line, field or
    option) and, where there is one, what to do. Nothing was written."""

    exit_code: int = EXIT_REFUSED

    def details(self) -> list[str]:
        """Lines printed before the sentence (e.g. one ``file:line: field: reason`` each)."""
        return []


class UsageError(UserError):
    """An option or argument the command does not know (exit 2)."""

    exit_code = EXIT_USAGE


class UnknownValue(UsageError):
    """A filter value that matches nothing the tracker knows: names the option, says which
    values exist (or where to see them), and the likeliest one meant ("did you mean AFG?")."""

    def __init__(self, option: str, value: str, valid: Iterable[str] = (), *,
                 suggestions: Iterable[str] = (), see: str = "", show: int = 40) -> None:
        self.option, self.value = option, value
        self.valid, self.suggestions = list(valid), list(suggestions)
        head = f"{option}: unknown value {value!r}"
        if self.suggestions:
            head += f" (did you mean {' or '.join(self.suggestions)}?)"
        parts = [head]
        if self.valid:
            listed = ", ".join(self.valid[:show]) + (", ..." if len(self.valid) > show else "")
            parts.append(f"valid: {listed}")
        if see:
            parts.append(see)
        super().__init__("; ".join(parts))


class DatabaseUnavailable(UserError):
    """The database cannot be opened or used: the message names the path and what is wrong."""
