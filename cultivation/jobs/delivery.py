"""Hand one email to the mail server, and tell a failure that proves it was not delivered
from one after which it may have been.

The line between them is the end of the message: a mail server takes a message
only once it has received the line "." that ends it (RFC 5321, DATA). Before
that, any failure (refused connection, unknown host, a server that never
greets, a timeout, a refused sender or recipient) means the server does not
have it: `NotDelivered`, and sending again is no duplicate. After it, only an
explicit refusal proves the same; a timeout or a dropped connection may follow
delivery, so the error is raised as it is.
"""

import logging
import smtplib
from contextlib import contextmanager

from django.core.mail import get_connection

logger = logging.getLogger(__name__)

END_OF_DATA = b"\r\n.\r\n"
# The server answered and did not take the message.
REFUSED = (smtplib.SMTPSenderRefused, smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


class NotDelivered(Exception):
    """The mail server surely does not have the message."""


class Outbox:
    """An open connection to the mail server (any Django email backend) that sends messages."""

    def __init__(self, backend):
        self.backend = backend
        self.smtp = getattr(backend, "connection", None)
        if not isinstance(self.smtp, smtplib.SMTP):
            self.smtp = None  # console, locmem, file: nothing to watch
        self.handed_over = False

    def watch(self):
        """Note when the end of a message goes out on the SMTP connection."""
        send = self.smtp.send

        def send_and_note(data):
            if isinstance(data, bytes) and data.endswith(END_OF_DATA):
                self.handed_over = True
            return send(data)

        self.smtp.send = send_and_note

    def send(self, message):
        """Send `message`; NotDelivered if the failure proves the server never took it."""
        # Without an SMTP connection to watch, a failure may have come after delivery.
        self.handed_over = self.smtp is None
        message.connection = self.backend
        try:
            message.send()
        except Exception as error:
            if self.handed_over and not isinstance(error, REFUSED):
                raise
            raise NotDelivered(f"Not delivered: {error!r}") from error


def _close(backend):
    try:
        backend.close()
    except OSError:  # smtplib.SMTPException included
        # Whatever happened to the message happened before: closing cannot change it.
        logger.warning("Closing the mail connection failed", exc_info=True)


@contextmanager
def mail_connection():
    """An `Outbox` connected, greeted and past EHLO, STARTTLS and login, closed afterwards.

    Any failure up to then (each step limited by EMAIL_TIMEOUT) is NotDelivered:
    no message has gone out yet.
    """
    backend = get_connection()
    try:
        backend.open()
        outbox = Outbox(backend)
        if outbox.smtp is not None:
            outbox.smtp.ehlo_or_helo_if_needed()
            outbox.watch()
    except Exception as error:
        _close(backend)
        raise NotDelivered(f"Could not reach the mail server: {error!r}") from error
    try:
        yield outbox
    finally:
        _close(backend)
