"""An email backend for tests: a mail server that can be down."""

import os
import smtplib
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class FlakyBackend(BaseEmailBackend):
    down = False
    delivered: list = []

    def send_messages(self, messages):
        if FlakyBackend.down:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        FlakyBackend.delivered.extend(messages)
        return len(messages)


class BlockingFileBackend(BaseEmailBackend):
    """Writes each message to its own file in ``APORTA_TEST_MAIL_DIR``; after
    ``APORTA_TEST_MAIL_BLOCK_AFTER`` messages the next send hangs before
    writing anything (a worker to kill in the middle of a run)."""

    def send_messages(self, messages):
        folder = Path(os.environ["APORTA_TEST_MAIL_DIR"])
        block_after = int(os.environ.get("APORTA_TEST_MAIL_BLOCK_AFTER", "1000000"))
        for message in messages:
            if len(list(folder.iterdir())) >= block_after:
                time.sleep(600)
            name = f"{time.monotonic_ns()}-{os.getpid()}.eml"
            (folder / name).write_bytes(message.message().as_bytes())
        return len(messages)
