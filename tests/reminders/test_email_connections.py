"""Email we build ourselves, over SMTP with the user's mailto:// settings
(notifications/channels/email.py), against real SMTP servers on loopback; ``peers`` shows which
connection carried a message."""

import datetime as dt
import socket
import ssl
import threading

import pytest
import trustme
from aiosmtpd.controller import Controller

from notifications.channels import email as email_channel
from notifications.channels.apprise_channel import AppriseChannel, Letter
from notifications.errors import PermanentDeliveryError, TransientDeliveryError
from notifications.message import Rendered
from tests.conftest import SmtpInbox, free_port
from tests.reminders.factories import smtp_url, write_apprise_config

NOW = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)


def _channel(tmp_path, port, names, **options):
    config = write_apprise_config(tmp_path / "apprise.yaml",
                                  {n: smtp_url(port, f"{n}@example.org") for n in names})
    return AppriseChannel(config, tmp_path / "outbox", **options)


def _send(channel, name):
    (address,) = channel.addresses(name)
    letter = Letter(Rendered(f"for {name}", "CCM deadlines\n", "<p>CCM deadlines</p>"))
    channel.deliver(address, letter, recipient=name, now=NOW)


def test_messages_of_one_run_share_one_connection_and_each_arrives(tmp_path, smtp_server):
    names = [f"c{i}" for i in range(5)]
    channel = _channel(tmp_path, smtp_server.port, names)
    with channel.keep_connections():
        for name in names:
            _send(channel, name)
    assert [m["To"] for m in smtp_server.messages] == [f"{n}@example.org" for n in names]
    assert len(set(smtp_server.peers)) == 1


def test_a_connection_the_server_closed_is_replaced_and_nothing_is_lost(tmp_path):
    inbox, port = SmtpInbox(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    channel = _channel(tmp_path, port, ["a", "b"])
    try:
        with channel.keep_connections():
            _send(channel, "a")
            server.stop()  # the kept connection dies with the server
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


def test_a_refused_recipient_is_permanent_and_its_connection_is_not_reused(tmp_path):
    inbox, port = RefusesBad(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    channel = _channel(tmp_path, port, ["a", "bad", "c"])
    try:
        with channel.keep_connections():
            _send(channel, "a")
            with pytest.raises(PermanentDeliveryError, match="550"):
                _send(channel, "bad")
            _send(channel, "c")
    finally:
        server.stop()
    assert [m["To"] for m in inbox.messages] == ["a@example.org", "c@example.org"]
    assert inbox.peers[0] != inbox.peers[1]


def test_a_connection_carries_at_most_the_cap_of_messages(tmp_path, smtp_server, monkeypatch):
    monkeypatch.setattr(email_channel, "MAX_MESSAGES_PER_CONNECTION", 3)
    names = [f"c{i}" for i in range(7)]
    channel = _channel(tmp_path, smtp_server.port, names)
    with channel.keep_connections():
        for name in names:
            _send(channel, name)
    assert len(smtp_server.messages) == 7
    per_connection = [smtp_server.peers.count(peer) for peer in dict.fromkeys(smtp_server.peers)]
    assert per_connection == [3, 3, 1]


def _tls_server(tmp_path, monkeypatch, *, trusted=True):
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    if trusted:
        bundle = tmp_path / "ca.pem"
        authority.cert_pem.write_to_path(str(bundle))
        monkeypatch.setenv("SSL_CERT_FILE", str(bundle))  # the default verify paths trust our CA
    return server_context


def test_a_starttls_connection_is_verified_secured_once_and_reused(tmp_path, monkeypatch):
    server_context = _tls_server(tmp_path, monkeypatch)
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


@pytest.mark.parametrize("trusted", [True, False])
def test_implicit_tls_verifies_the_certificate_before_anything_is_sent(tmp_path, monkeypatch, trusted):
    server_context = _tls_server(tmp_path, monkeypatch, trusted=trusted)
    inbox, port = SmtpInbox(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=server_context)
    server.start()
    urls = {"a": f"mailtos://127.0.0.1:{port}?mode=ssl&from=isu@example.org&to=a@example.org"}
    channel = AppriseChannel(write_apprise_config(tmp_path / "apprise.yaml", urls), tmp_path)
    try:
        with channel.keep_connections():
            if trusted:
                _send(channel, "a")
            else:
                with pytest.raises(PermanentDeliveryError, match="certificate could not be verified"):
                    _send(channel, "a")
    finally:
        server.stop()
    assert len(inbox.messages) == (1 if trusted else 0)


def test_after_two_timeouts_from_one_host_the_rest_of_its_messages_are_deferred_at_once(tmp_path):
    """A server that accepts the connection and never answers (a silent SMTP server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    names = [f"c{i}" for i in range(5)]
    channel = _channel(tmp_path, port, names, breaker=2, smtp_timeout=0.5)
    outcomes = []
    try:
        with channel.keep_connections():
            for name in names:
                try:
                    _send(channel, name)
                except TransientDeliveryError as error:
                    outcomes.append(type(error).__name__)
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()
    assert outcomes == ["TransientDeliveryError", "TransientDeliveryError",
                        "HostDeferred", "HostDeferred", "HostDeferred"]
    assert len(held) == 2  # the deferred three never connected
