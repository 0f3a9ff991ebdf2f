"""A real SMTP server for the tests (aiosmtpd), on a spare loopback port, that keeps what it
receives. The `smtp_server` fixture (tests/conftest.py) points Django's SMTP backend at it."""

import email
import email.policy
import socket
from contextlib import closing

from aiosmtpd.controller import Controller

# The ports this project's tests may use for their mail servers.
PORTS = range(8650, 8700)


def spare_port(host="127.0.0.1"):
    for port in PORTS:
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


class Inbox:
    """aiosmtpd handler: every message that arrives, parsed, with its envelope."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def bodies(self):
        return [message.get_body(("plain",)).get_content() for message in self.messages]


class SMTPServer:
    """Start with `start()`, stop with `stop()`; `inbox.messages` holds what arrived."""

    def __init__(self, host="127.0.0.1"):
        self.host = host
        self.inbox = Inbox()
        self.controller = None
        self.port = None

    def start(self):
        self.port = spare_port(self.host)
        self.controller = Controller(self.inbox, hostname=self.host, port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
