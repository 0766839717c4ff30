#!/usr/bin/env python3
"""A hostile Ory Kratos on loopback, for trying idtui as an attacker would, by hand.

    scripts/hostile-kratos.py MODE [--port 4499] [--elsewhere-port 4498]

Serves one identity list (and each identity) like a Kratos admin API, and misbehaves by MODE:

    redirect        every change (PUT/PATCH/DELETE/POST) answers 307 to the "elsewhere" port
    redirect-all    every request answers 302 to the "elsewhere" port
    endless         the identity list is an endless chunked stream of {} records
    flood           the identity list is one 60 MB page of 20,000,000 {} records
    bomb            every answer is a gzip bomb (4 GiB of spaces in ~4 MB)
    endless-record  the identity list's first record never ends
    escape-id       an identity whose id ends a bracketed paste and runs `touch PWNED`
    zero-width      ada.lovelace@example.com and a look-alike with a zero-width space

A second listener on the elsewhere port stands for another host: it prints every request that
reaches it (there should be none). Point a profile at it:

    [profiles.hostile]
    provider = "kratos"
    url = "http://127.0.0.1:4499"
    auth_header = "X-Api-Key"
    token_command = "printf secret-token"

Loopback only; stop it with Ctrl-C.
"""

import argparse
import gzip
import json
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ADA = "767e3cc1-4b1e-5b8f-9d52-3b1c0eea9782"
SPOOF = "0ba63862-3aa8-5307-a301-e8d3ec7e0002"


def identity(id_, email):
    return {
        "id": id_,
        "schema_id": "default",
        "schema_url": "http://127.0.0.1/schemas/ZGVmYXVsdA",
        "state": "active",
        "traits": {"email": email},
        "metadata_public": {"plan": "free"},
        "metadata_admin": None,
        "created_at": "2025-01-01T12:00:00Z",
        "updated_at": "2025-01-01T12:00:00Z",
    }


def people(mode):
    if mode == "escape-id":
        return [identity("ok-id\x1b[201~\rtouch PWNED\r", "mallory@example.com")]
    if mode == "zero-width":
        return [
            identity(ADA, "ada.lovelace@example.com"),
            identity(SPOOF, "ada.love\u200blace@example.com"),
        ]
    return [identity(ADA, "ada.lovelace@example.com")]


_BOMB = None


def bomb():
    global _BOMB
    if _BOMB is None:
        z = gzip.compress(b" " * (64 << 20), 9)
        # Concatenated gzip members decode as one stream: 64 of them make 4 GiB.
        _BOMB = z * 64
    return _BOMB


def handler(mode, elsewhere):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            sys.stderr.write("hostile: %s %s\n" % (self.command, self.path))

        def send(self, status, body, headers=()):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def chunked(self, head, chunk):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(head), head))
            sent = 0
            try:
                while sent < (8 << 30):
                    self.wfile.write(frame)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            path = self.path.split("?")[0]
            to = "http://127.0.0.1:%d%s" % (elsewhere, self.path)
            if mode == "redirect-all" or (mode == "redirect" and self.command != "GET"):
                return self.send(307 if self.command != "GET" else 302, b"", [("Location", to)])
            if mode == "bomb":
                return self.send(200, bomb(), [("Content-Type", "application/json"),
                                               ("Content-Encoding", "gzip")])
            if path == "/admin/identities":
                if mode == "endless":
                    return self.chunked(b'[{}', b",{}" * 20000)
                if mode == "endless-record":
                    return self.chunked(b'[{"id":"x","blob":"', b"a" * 65536)
                if mode == "flood":
                    return self.send(200, b"[" + b"{}," * 20_000_000 + b"{}]",
                                     [("Content-Type", "application/json")])
                body = json.dumps(people(mode)).encode()
                return self.send(200, body, [("Content-Type", "application/json")])
            for p in people(mode):
                from urllib.parse import quote
                if path == "/admin/identities/" + quote(p["id"], safe=""):
                    return self.send(200, json.dumps(p).encode(),
                                     [("Content-Type", "application/json")])
            if path.endswith("/sessions"):
                return self.send(200, b"[]", [("Content-Type", "application/json")])
            body = b'{"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}'
            return self.send(404, body, [("Content-Type", "application/json")])

        do_GET = do_PUT = do_PATCH = do_DELETE = do_POST = answer

    return Handler


class Elsewhere(socketserver.BaseRequestHandler):
    def handle(self):
        data = self.request.recv(65536)
        sys.stderr.write("ELSEWHERE got %d bytes:\n%s\n" % (len(data), data.decode("latin-1")))
        self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode")
    ap.add_argument("--port", type=int, default=4499)
    ap.add_argument("--elsewhere-port", type=int, default=4498)
    a = ap.parse_args()
    other = socketserver.ThreadingTCPServer(("127.0.0.1", a.elsewhere_port), Elsewhere)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", a.port), handler(a.mode, a.elsewhere_port))
    sys.stderr.write("hostile kratos (%s) on http://127.0.0.1:%d, elsewhere on %d\n"
                     % (a.mode, a.port, a.elsewhere_port))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
