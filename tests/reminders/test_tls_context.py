"""The lazy TLS context given to Apprise's SMTP controller behaves as a real one when used."""

import ssl

from notifications.channels.tls import LazyTLSContext


def test_a_lazy_context_is_not_built_until_used_and_keeps_settings_in_order():
    context = LazyTLSContext()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    assert object.__getattribute__(context, "_real") is None
    real = context.materialise()
    assert isinstance(real, ssl.SSLContext)
    assert (real.check_hostname, real.verify_mode) == (False, ssl.CERT_NONE)
    assert context.verify_mode == ssl.CERT_NONE  # reads go to the real context


def test_a_lazy_context_verifies_certificates_by_default():
    context = LazyTLSContext()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
