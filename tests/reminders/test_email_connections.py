"""One dispatch run keeps its SMTP connections open (notifications/channels/smtp_pool.py),
against a real SMTP server on loopback; ``peers`` shows which connection carried a message."""

import ssl

import pytest
import trustme
from aiosmtpd.controller import Controller

from notifications.channels import smtp_pool
from notifications.channels.apprise_channel import AppriseChannel
from tests.conftest import SmtpInbox, free_port
from tests.reminders.factories import smtp_url, write_apprise_config


def _channel(tmp_path, port, names):
    config = write_apprise_config(tmp_path / "apprise.yaml",
                                  {n: smtp_url(port, f"{n}@example.org") for n in names})
    return AppriseChannel(config, tmp_path / "outbox")


def _send(channel, name):
    channel.send(tag=name, recipient=name, title=f"for {name}", body="CCM deadlines")


def test_messages_of_one_run_share_one_connection_and_each_arrives(tmp_path, smtp_server):
    names = [f"c{i}" for i in range(5)]
    channel = _channel(tmp_path, smtp_server.port, names)
    with channel.keep_connections():
        for name in names:
            _send(channel, name)
    assert [m["To"] for m in smtp_server.messages] == [f"{n}@example.org" for n in names]
    assert len(set(smtp_server.peers)) == 1


def test_outside_a_run_each_message_has_its_own_connection_as_apprise_ships(tmp_path, smtp_server):
    channel = _channel(tmp_path, smtp_server.port, ["a", "b"])
    _send(channel, "a")
    _send(channel, "b")
    assert len(smtp_server.messages) == 2
    assert len(set(smtp_server.peers)) == 2


def test_a_connection_the_server_closed_is_replaced_and_nothing_is_lost(tmp_path):
    inbox, port = SmtpInbox(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    channel = _channel(tmp_path, port, ["a", "b"])
    try:
        with channel.keep_connections():
            _send(channel, "a")
            server.stop()  # the pooled connection dies with the server
            server = Controller(inbox, hostname="127.0.0.1", port=port)
            server.start()
            _send(channel, "b")  # raises if the dead connection were used
    finally:
        server.stop()
    assert [m["To"] for m in inbox.messages] == ["a@example.org", "b@example.org"]
    assert inbox.peers[0] != inbox.peers[1]


class RefusesBad(SmtpInbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bad@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_connection_on_which_a_send_failed_is_not_reused(tmp_path):
    inbox, port = RefusesBad(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    channel = _channel(tmp_path, port, ["a", "bad", "c"])
    try:
        with channel.keep_connections():
            _send(channel, "a")
            with pytest.raises(Exception, match="550"):
                _send(channel, "bad")
            _send(channel, "c")
    finally:
        server.stop()
    assert [m["To"] for m in inbox.messages] == ["a@example.org", "c@example.org"]
    assert inbox.peers[0] != inbox.peers[1]


def test_a_connection_carries_at_most_the_cap_of_messages(tmp_path, smtp_server, monkeypatch):
    monkeypatch.setattr(smtp_pool, "MAX_MESSAGES_PER_CONNECTION", 3)
    names = [f"c{i}" for i in range(7)]
    channel = _channel(tmp_path, smtp_server.port, names)
    with channel.keep_connections():
        for name in names:
            _send(channel, name)
    assert len(smtp_server.messages) == 7
    per_connection = [smtp_server.peers.count(peer) for peer in dict.fromkeys(smtp_server.peers)]
    assert per_connection == [3, 3, 1]


def test_the_last_run_to_end_quits_the_pooled_connections(tmp_path, smtp_server):
    channel = _channel(tmp_path, smtp_server.port, ["a"])
    with channel.keep_connections() as outer:
        with channel.keep_connections() as inner:
            assert inner is outer  # overlapping runs share one pool
            _send(channel, "a")
        assert outer._idle  # still open: the outer run goes on
    assert not outer._idle


def test_a_starttls_connection_is_verified_secured_once_and_reused(tmp_path, monkeypatch):
    """STARTTLS against a server whose certificate our own CA signed: Apprise's controller
    gets the lazy TLS context (notifications/channels/tls.py), which verifies the certificate
    and host name, and the secured connection carries the next message too."""
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))  # the default verify paths trust our CA

    inbox, port = SmtpInbox(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port,
                        tls_context=server_context, require_starttls=True)
    server.start()
    urls = {n: f"mailtos://127.0.0.1:{port}?mode=starttls&from=isu@example.org&to={n}@example.org"
            for n in ("a", "b")}
    channel = AppriseChannel(write_apprise_config(tmp_path / "apprise.yaml", urls), tmp_path)
    try:
        with channel.keep_connections():
            _send(channel, "a")
            _send(channel, "b")
    finally:
        server.stop()
    assert [m["To"] for m in inbox.messages] == ["a@example.org", "b@example.org"]
    assert len(set(inbox.peers)) == 1  # the server refuses MAIL before STARTTLS: both went secured
