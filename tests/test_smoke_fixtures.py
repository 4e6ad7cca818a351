import smtplib
from email.message import EmailMessage


def test_loopback_smtp_server_receives_a_message(smtp_server):
    message = EmailMessage()
    message["From"] = "isu@example.org"
    message["To"] = "coordinator@example.org"
    message["Subject"] = "hello"
    message.set_content("body")
    with smtplib.SMTP(smtp_server.host, smtp_server.port) as client:
        client.send_message(message)
    assert [m["Subject"] for m in smtp_server.messages] == ["hello"]
