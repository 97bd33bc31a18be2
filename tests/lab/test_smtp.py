"""The relay transport against a real SMTP server: what a reply means, kept connections, settings read once."""

from contextlib import closing
from datetime import UTC, datetime

import pytest

from lab.settings import Settings, SettingsError, SmtpSettings
from lab.smtp import SendFailure, SmtpTransport, build_message, mailbox
from tests.mail_server import SENDER, Relay, Silent, free_port


def _message(message_id: str = "<1@ville.test>"):
    return build_message(sender=mailbox(SENDER, "Mairie de Rivebelle-sur-Loire"), recipient=mailbox("jeanne@ville.test", "Hélène Dupré"),
                         subject="Essai é « accentué »", text="Bonjour\n.ligne qui commence par un point\n",
                         html="<p>Bonjour</p>", message_id=message_id, date=datetime(2026, 5, 4, 9, tzinfo=UTC))


def _failure(transport) -> SendFailure:
    with pytest.raises(SendFailure) as caught:
        transport.send(_message())
    return caught.value


def _transport(settings):
    """A transport whose connection is closed at the end of the block, whatever happened."""
    return closing(SmtpTransport(settings))


def test_a_message_arrives_whole_and_the_connection_is_kept():
    with Relay() as relay, _transport(relay.settings()) as transport:
        reply = transport.send(_message())
        conn = transport._conn
        transport.send(_message(message_id="<2@ville.test>"))
        assert transport._conn is conn, "one connection for consecutive messages"
    assert reply.startswith("250")
    first = relay.received[0]
    assert first.sender == SENDER and first.recipients == ["jeanne@ville.test"]
    assert first.message["Subject"] == "Essai é « accentué »" and first.message_id == "<1@ville.test>"
    assert first.message["To"] == "Hélène Dupré <jeanne@ville.test>"
    assert first.message["From"] == f"Mairie de Rivebelle-sur-Loire <{SENDER}>"
    assert first.part("plain") == "Bonjour\n.ligne qui commence par un point\n"  # a leading dot survives DATA
    assert first.part("html").strip() == "<p>Bonjour</p>"


@pytest.mark.parametrize(("script", "outcome"), [
    ({"rcpt_replies": ["451 4.7.1 Greylisted, try again later"]}, "temporary"),
    ({"data_replies": ["452 4.3.1 Insufficient system storage"]}, "temporary"),
    ({"rcpt_replies": ["550 5.1.1 <jeanne@ville.test>: Recipient address rejected: User unknown"]}, "bad_address"),
    ({"rcpt_replies": ["550 5.7.1 Relaying denied"]}, "refused"),
    ({"data_replies": ["554 5.7.1 Message rejected as spam"]}, "refused"),
])
def test_what_each_refusal_means(script, outcome):
    with Relay() as relay, _transport(relay.settings()) as transport:
        for name, replies in script.items():
            getattr(relay, name).extend(replies)
        failure = _failure(transport)
        assert failure.outcome == outcome and not failure.connection
        assert failure.reply == next(iter(script.values()))[0]
        transport.send(_message(message_id="<2@ville.test>"))  # the connection serves on after a refusal
    assert relay.message_ids() == ["<2@ville.test>"]


def test_an_unreachable_relay_is_a_temporary_problem_of_the_connection():
    with _transport(SmtpSettings(host="127.0.0.1", port=free_port(), security="none", sender=SENDER)) as transport:
        failure = _failure(transport)
    assert failure.outcome == "temporary" and failure.connection and "127.0.0.1" in failure.reply


def test_a_silent_relay_times_out_as_a_temporary_problem():
    with Silent() as silent:
        settings = SmtpSettings(host="127.0.0.1", port=silent.port, security="none", sender=SENDER, timeout_seconds=1)
        with _transport(settings) as transport:
            failure = _failure(transport)
    assert failure.outcome == "temporary" and failure.connection


def test_no_reply_after_the_content_went_out_is_uncertain():
    with Relay(data_delay=3) as relay, _transport(relay.settings(timeout_seconds=1)) as transport:
        failure = _failure(transport)
    assert failure.outcome == "uncertain"  # the relay may have the message: sending again could deliver it twice
    assert len(relay.received) == 1


def test_a_connection_the_relay_closed_while_idle_is_opened_again():
    with Relay() as relay, _transport(relay.settings()) as transport:
        transport.send(_message())
        transport._conn.sock.close()  # what a relay's idle timeout looks like from here
        transport.send(_message(message_id="<2@ville.test>"))
    assert relay.message_ids() == ["<1@ville.test>", "<2@ville.test>"]


def test_a_header_never_carries_a_line_break():
    with pytest.raises(ValueError, match="one line"):
        build_message(sender=SENDER, recipient="a@ville.test", subject="Titre\r\nBcc: tous@ville.test", text="", html="",
                      message_id="<1@ville.test>", date=datetime(2026, 5, 4, tzinfo=UTC))


def test_smtp_settings_are_read_from_the_environment_and_the_password_never_shown():
    settings = Settings.from_env({"LAB_SMTP_HOST": "smtp.ville.fr", "LAB_SMTP_USER": "lab", "LAB_SMTP_PASSWORD": "s3cr3t-pw",
                                  "LAB_SMTP_FROM": "Laboratoire <lab@ville.fr>", "LAB_MAIL_PER_MINUTE": "30",
                                  "LAB_SECRET_KEY": "k" * 40})
    smtp = settings.smtp
    assert (smtp.host, smtp.port, smtp.security, smtp.per_minute, smtp.configured) == ("smtp.ville.fr", 587, "starttls", 30, True)
    assert "s3cr3t-pw" not in repr(settings) and "s3cr3t-pw" not in repr(smtp)
    assert Settings.from_env({"LAB_SMTP_HOST": "smtp.ville.fr", "LAB_SMTP_SECURITY": "tls",
                              "LAB_SMTP_FROM": "lab@ville.fr"}).smtp.port == 465
    assert not Settings.from_env({}).smtp.configured


@pytest.mark.parametrize(("env", "named"), [
    ({"LAB_SMTP_HOST": "smtp.ville.fr", "LAB_SMTP_SECURITY": "none", "LAB_SMTP_FROM": "lab@ville.fr"}, "LAB_SMTP_SECURITY"),
    ({"LAB_SMTP_HOST": "smtp.ville.fr", "LAB_SMTP_SECURITY": "ssl"}, "LAB_SMTP_SECURITY"),
    ({"LAB_SMTP_HOST": "smtp.ville.fr"}, "LAB_SMTP_FROM"),
    ({"LAB_SMTP_HOST": "smtp.ville.fr", "LAB_SMTP_FROM": "lab@ville.fr", "LAB_SMTP_USER": "lab"}, "LAB_SMTP_PASSWORD"),
    ({"LAB_MAIL_PER_MINUTE": "0"}, "LAB_MAIL_PER_MINUTE"),
    ({"LAB_SMTP_PORT": "smtp"}, "LAB_SMTP_PORT"),
])
def test_a_half_configured_relay_stops_the_start_with_a_clear_message(env, named):
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_a_refused_login_is_temporary_and_never_repeats_the_password():
    from aiosmtpd.smtp import AuthResult

    refuse = {"authenticator": lambda *args: AuthResult(success=False, handled=False), "auth_require_tls": False}
    with Relay(smtp_options=refuse) as relay, _transport(relay.settings(user="lab", password="s3cr3t-pw")) as transport:
        failure = _failure(transport)
    assert failure.outcome == "temporary" and failure.connection and failure.reply.startswith("535")
    assert "s3cr3t-pw" not in failure.reply
