#!/usr/bin/python3
"""Health-check endpoints of one real server, for the nftlvs-healthd tests.

  hcserver.py NAME ADDR STATEDIR [CERT KEY]

serves, on ADDR:
  8000/tcp  HTTP:  GET any path -> status from STATEDIR/NAME.8000 (default 200),
                   body "ok NAME\n"
  8443/tcp  HTTPS: the same with STATEDIR/NAME.8443, when CERT and KEY are given
  5353/udp  "pong NAME" to every datagram, or nothing while STATEDIR/NAME.udp-silent
                   exists (a server that hangs, not one that refuses)
Each request is logged to stdout as "PORT PEER STATUS".
"""
import http.server
import os
import socket
import socketserver
import ssl
import sys
import threading

name, addr, statedir = sys.argv[1:4]
cert = sys.argv[4] if len(sys.argv) > 5 else None
key = sys.argv[5] if len(sys.argv) > 5 else None


def status_of(port):
    try:
        with open(os.path.join(statedir, "%s.%d" % (name, port))) as f:
            return int(f.read().strip() or 200)
    except FileNotFoundError:
        return 200


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        port = self.server.server_address[1]
        status = status_of(port)
        body = ("ok %s\n" % name).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        print("%d %s %d" % (port, self.client_address[0], status), flush=True)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 5353))
    while True:
        data, peer = s.recvfrom(65536)
        if os.path.exists(os.path.join(statedir, name + ".udp-silent")):
            continue
        s.sendto(("pong %s" % name).encode(), peer)


servers = [Server((addr, 8000), Handler)]
if cert:
    tls = Server((addr, 8443), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    servers.append(tls)
threading.Thread(target=udp, daemon=True).start()
for srv in servers[1:]:
    threading.Thread(target=srv.serve_forever, daemon=True).start()
print("ready", flush=True)
servers[0].serve_forever()
