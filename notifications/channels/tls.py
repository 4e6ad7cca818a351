"""Apprise's SMTP controller builds a TLS context (loading every CA certificate: ~20 ms here)
for each connection, even a plain one that never uses it. That cost dominated a dispatch of
1,000 digests; this hands it a context that is only built when TLS is actually used.

Installed once, by ``notifications.channels.apprise_channel``; it changes nothing else: a
connection that uses TLS gets a fresh ``ssl.create_default_context()`` with the settings the
controller asked for, in the order it set them.
"""

from __future__ import annotations

import ssl
import types
from typing import Any


class LazyTLSContext:
    """Records attribute settings; becomes a real ``ssl.SSLContext`` on first real use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        object.__setattr__(self, "_args", (args, kwargs))
        object.__setattr__(self, "_settings", {})
        object.__setattr__(self, "_real", None)

    def __setattr__(self, name: str, value: Any) -> None:
        real = object.__getattribute__(self, "_real")
        if real is not None:
            setattr(real, name, value)
        else:
            self._settings[name] = value

    def __getattr__(self, name: str) -> Any:
        return getattr(self.materialise(), name)

    def materialise(self) -> ssl.SSLContext:
        real = object.__getattribute__(self, "_real")
        if real is None:
            args, kwargs = object.__getattribute__(self, "_args")
            real = ssl.create_default_context(*args, **kwargs)
            for name, value in object.__getattribute__(self, "_settings").items():
                setattr(real, name, value)
            object.__setattr__(self, "_real", real)
        return real


def install_lazy_tls_for_apprise_smtp() -> None:
    from apprise.plugins.email import smtp

    if isinstance(smtp.ssl, types.SimpleNamespace):
        return  # installed already
    smtp.ssl = types.SimpleNamespace(
        create_default_context=LazyTLSContext, CERT_NONE=ssl.CERT_NONE
    )
