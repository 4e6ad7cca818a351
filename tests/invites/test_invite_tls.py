"""The ccminvite:// plugin over implicit TLS verifies the server's certificate before anything
is sent (a test CA from trustme, an SMTP server on loopback)."""

import datetime as dt
import ssl

import pytest
import trustme
from aiosmtpd.controller import Controller

from notifications.channels.apprise_channel import AppriseChannel, Letter
from notifications.errors import DeliveryError
from notifications.message import Rendered
from tests.conftest import SmtpInbox, free_port

ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    b"UID:CCM:MEETING:x@ccm-tracker\r\nDTSTAMP:20260301T000000Z\r\nDTSTART;VALUE=DATE:20300902\r\n"
    b"SUMMARY:Ninth Meeting\r\nATTENDEE:mailto:a@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.mark.parametrize("trusted", [True, False])
def test_an_invite_over_implicit_tls_is_sent_only_to_a_server_whose_certificate_verifies(
    tmp_path, monkeypatch, trusted
):
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    if trusted:
        authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    inbox, port = SmtpInbox(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=server_context)
    server.start()
    config = tmp_path / "apprise.yaml"
    config.write_text(
        "version: 1\nurls:\n"
        f'  - "ccminvite://127.0.0.1:{port}?from=isu@example.org&mode=ssl":\n'
        "      - tag: a-invite\n"
    )
    channel = AppriseChannel(config, tmp_path / "outbox")
    [address] = channel.addresses("a-invite")
    letter = Letter(Rendered("Invitation: Ninth Meeting", "You are invited.\n", ""), calendar=ICS)
    try:
        with channel.keep_connections():
            if trusted:
                channel.deliver(address, letter, recipient="a", now=dt.datetime.now(dt.UTC))
            else:
                with pytest.raises(DeliveryError, match="certificate could not be verified") as refused:
                    channel.deliver(address, letter, recipient="a", now=dt.datetime.now(dt.UTC))
                assert refused.value.permanent  # not retried until someone fixes it
    finally:
        server.stop()
    assert len(inbox.messages) == (1 if trusted else 0)
