#!/usr/bin/python3
"""toapeer.py - endpoints for the rs-toa case (nftlvs-toa on a real server).

  toapeer.py serve {4|6|46} PORT LOG [--peer-cmd TOOL]
      An unmodified TCP server: for each connection it logs one line in LOG,
      "PORT|ACCEPT|GETPEERNAME|TOA" (addresses as "ADDR PORT"; TOA: what
      --peer-cmd said, else "-"), answers a request with it, and closes. 4: IPv4 socket; 6: IPv6-only socket;
      46: dual-stack IPv6 socket. --peer-cmd: also log "TOOL peer PID FD".
  toapeer.py connect HOST PORT [--defer]
      Connects, sends a line, prints "LOCAL|<the server's line>": the
      client's own address and what the server saw. --defer: the handshake's
      last ACK waits for the first data (TCP_DEFER_ACCEPT on the client), so
      the option arrives on the first data segment.
  toapeer.py craft SPEC_JSON
      Handshakes by hand over raw sockets, each ACK with chosen TCP options
      (hex): a list of {"src", "dst", "dport", "sport", "opts", "data"}.
      Needs the caller to drop the kernel's RSTs for the source ports (the
      kernel knows no socket for them).
"""
import json
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time

def addr_str(a):
    return "%s %d" % (a[0], a[1])


def serve(fam, port, logpath, peer_cmd):
    if fam == "4":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        bind = ("0.0.0.0", port)
    else:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if fam == "6" else 0)
        bind = ("::", port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(bind)
    s.listen(64)
    log = open(logpath, "a", buffering=1)
    lock = threading.Lock()

    def handle(c, accepted):
        try:
            peer = addr_str(c.getpeername())
        except OSError as e:
            peer = e.strerror
        toa = "-"
        if peer_cmd:
            r = subprocess.run([peer_cmd, "peer", str(os.getpid()), str(c.fileno())],
                               capture_output=True, text=True)
            toa = (r.stdout + r.stderr).strip()
        line = "%d|%s|%s|%s" % (port, addr_str(accepted), peer, toa)
        with lock:
            log.write(line + "\n")
        c.settimeout(5)
        try:
            if c.recv(1000):
                c.sendall(line.encode() + b"\n")
        except OSError:
            pass
        c.close()

    while True:
        c, a = s.accept()
        threading.Thread(target=handle, args=(c, a), daemon=True).start()


def connect(host, port, defer):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    c = socket.socket(fam, socket.SOCK_STREAM)
    if defer:
        # A connecting socket with TCP_DEFER_ACCEPT delays its handshake
        # ACK and sends it with the first data.
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 5)
    c.settimeout(10)
    c.connect((host, port))
    local = addr_str(c.getsockname())
    c.sendall(b"hello\n")
    buf = b""
    while not buf.endswith(b"\n"):
        d = c.recv(1000)
        if not d:
            break
        buf += d
    c.close()
    print("%s|%s" % (local, buf.decode().strip()))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


class Raw:
    """A raw TCP socket for one source address; builds and checks segments."""

    def __init__(self, src):
        self.v6 = ":" in src
        self.fam = socket.AF_INET6 if self.v6 else socket.AF_INET
        self.src = socket.inet_pton(self.fam, src)
        self.s = socket.socket(self.fam, socket.SOCK_RAW, socket.IPPROTO_TCP)
        self.s.bind((src, 0))
        self.s.settimeout(0.2)

    def send(self, dst, sport, dport, seq, ack, flags, opts=b"", data=b""):
        opts += b"\x01" * (-len(opts) % 4)	# NOPs up to a 4-byte boundary
        doff = (20 + len(opts)) // 4
        hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags,
                          65535, 0, 0) + opts
        seg = hdr + data
        d = socket.inet_pton(self.fam, dst)
        if self.v6:
            pseudo = self.src + d + struct.pack("!I3xB", len(seg), 6)
        else:
            pseudo = self.src + d + struct.pack("!xBH", 6, len(seg))
        seg = seg[:16] + struct.pack("!H", csum(pseudo + seg)) + seg[18:]
        self.s.sendto(seg, (dst, 0))

    def wait_synack(self, dst, sport, dport, timeout=3.0):
        end = time.time() + timeout
        d = socket.inet_pton(self.fam, dst)
        while time.time() < end:
            try:
                pkt, frm = self.s.recvfrom(2000)
            except socket.timeout:
                continue
            if not self.v6:
                if pkt[12:16] != d:
                    continue
                pkt = pkt[(pkt[0] & 15) * 4:]
            elif socket.inet_pton(self.fam, frm[0]) != d:
                continue
            sp, dp, seq, _ack, _off, flags = struct.unpack("!HHIIBB", pkt[:14])
            if sp == dport and dp == sport and flags & 0x12 == 0x12:
                return seq
        return None


def craft(specs):
    raws = {}
    for sp in specs:
        r = raws.get(sp["src"]) or raws.setdefault(sp["src"], Raw(sp["src"]))
        isn = random.getrandbits(32)
        mss = struct.pack("!BBH", 2, 4, 1200)
        r.send(sp["dst"], sp["sport"], sp["dport"], isn, 0, 0x02, mss)
        rseq = r.wait_synack(sp["dst"], sp["sport"], sp["dport"])
        if rseq is None:
            print("%d: no SYN-ACK" % sp["sport"])
            continue
        data = sp.get("data", "").encode()
        flags = 0x18 if data else 0x10
        r.send(sp["dst"], sp["sport"], sp["dport"], isn + 1, (rseq + 1) & 0xFFFFFFFF,
               flags, bytes.fromhex(sp.get("opts", "")), data)
        # No RST: one arriving before the server's accept() would leave it a
        # socket without a peer. The namespaces' end clears these.
        print("%d: done" % sp["sport"])


def main():
    a = sys.argv[1:]
    if a[:1] == ["serve"]:
        peer_cmd = a[a.index("--peer-cmd") + 1] if "--peer-cmd" in a else None
        serve(a[1], int(a[2]), a[3], peer_cmd)
    elif a[:1] == ["connect"]:
        connect(a[1], int(a[2]), "--defer" in a)
    elif a[:1] == ["craft"]:
        craft(json.loads(a[1]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
