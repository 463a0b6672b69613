"""A real SMTP peer on loopback that misbehaves on cue: never greets, goes silent at a
command, refuses the message after its data, or greets only when the test says go.

Shared by the unit tests (tests/jobs) and the worker tests (tests/integration).
"""

import contextlib
import socket
import threading
from email import message_from_bytes, policy


class SMTPPeer:
    """Answers like a mail server until `stall_at` ("greeting", "MAIL", "RCPT", "DATA" or
    "end" of the message), then holds the connection open and says nothing.

    `end_reply` answers the end of each message ("554 ..." refuses it). With `gate`
    (a threading.Event) each connection is greeted only once the gate is set;
    `connected` is set as soon as a client connects. `messages` holds each message
    taken (`end_reply` 250) as received; `commands` every command verb, in order.
    """

    def __init__(self, *, stall_at=None, end_reply="250 Message accepted", gate=None):
        self.stall_at, self.end_reply, self.gate = stall_at, end_reply, gate
        self.messages, self.commands = [], []
        self.connected, self.closed = threading.Event(), threading.Event()
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        self.url = f"smtp://127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def recipients(self):
        """Who received a message, once per message taken."""
        return sorted(a.addr_spec for message in self.messages for a in message["To"].addresses)

    def close(self):
        self.closed.set()
        self.server.close()

    def _accept(self):
        while True:
            try:
                peer, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(peer,), daemon=True).start()

    def _serve(self, peer):
        self.connected.set()
        with contextlib.suppress(OSError):  # the client went away (a killed worker)
            self._converse(peer)

    def _converse(self, peer):
        with peer, peer.makefile("rb") as lines:
            if self.stall_at == "greeting" or (self.gate and not self._wait(self.gate)):
                self.closed.wait()
                return
            peer.sendall(b"220 peer ESMTP\r\n")
            for line in lines:
                verb = line.split(b":")[0].split()[0].upper().decode() if line.strip() else ""
                self.commands.append(verb)
                if verb == self.stall_at:
                    self.closed.wait()
                    return
                if verb == "QUIT":
                    peer.sendall(b"221 bye\r\n")
                    return
                if verb == "DATA" and not self._take(peer, lines):
                    return
                if verb != "DATA":
                    peer.sendall(b"250 ok\r\n")

    def _wait(self, gate):
        while not (gate.is_set() or self.closed.is_set()):
            gate.wait(0.1)
        return gate.is_set()

    def _take(self, peer, lines):
        peer.sendall(b"354 go ahead\r\n")
        body = []
        for data in lines:
            if data == b".\r\n":
                break
            body.append(data)
        else:
            return False  # the client went away mid-message: nothing was taken
        if self.stall_at == "end":
            self.closed.wait()
            return False
        if self.end_reply.startswith("250"):
            self.messages.append(message_from_bytes(b"".join(body), policy=policy.default))
        peer.sendall(self.end_reply.encode() + b"\r\n")
        return True
