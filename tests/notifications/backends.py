"""An email backend for tests: a mail server that can be down."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class FlakyBackend(BaseEmailBackend):
    down = False
    delivered: list = []

    def send_messages(self, messages):
        if FlakyBackend.down:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        FlakyBackend.delivered.extend(messages)
        return len(messages)
