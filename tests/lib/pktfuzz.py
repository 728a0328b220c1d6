#!/usr/bin/python3
"""Seeded generator of malformed and adversarial packets toward a load balancer.

  pktfuzz.py IFACE DST_MAC SEED COUNT TARGET... [--tuples FILE]

Sends COUNT Ethernet frames out of IFACE (AF_PACKET: every header byte is
ours, checksums and lengths included) to DST_MAC, each built from one
TARGET (ADDR:PORT, IPv4 or [IPv6]:PORT) and mutated: truncated headers,
wrong IP lengths and header lengths, bad checksums, TTL 0 and 1, IPv4
options, every TCP flag combination, data offsets 0-15, option soup
(zero-length, overlong, repeated MSS/SACK/timestamps/TOA of both kinds),
UDP lengths that lie, IPv4 fragments (overlapping and out of order), IPv6
extension header chains (hop-by-hop, routing, destination options,
fragments) that lie about their lengths, and ICMP/ICMPv6 errors quoting
forged or truncated headers. With --tuples (lines "CLIENT_ADDR CLIENT_PORT
VIP VIP_PORT", established connections) some segments play sequence games
on real connections: RST, SYN, FIN and ACK with random numbers.

Prints {"sent": N, "kinds": {KIND: N}} and exits 0. Only ever point it at a
test namespace's interface.
"""
import json
import random
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


class Gen:
    def __init__(self, seed, src4, src6, targets, tuples):
        self.r = random.Random(seed)
        self.src4, self.src6 = src4, src6
        self.targets, self.tuples = targets, tuples
        self.kinds = {}

    def coin(self, p):
        return self.r.random() < p

    def blob(self, n):
        return bytes(self.r.getrandbits(8) for _ in range(n))

    # ---- transport ----
    def tcp_options(self):
        kinds = [0, 1, 2, 3, 4, 5, 8, 19, 28, 30, 34, 253, 254]
        out = b""
        for _ in range(self.r.randint(0, 8)):
            k = self.r.choice(kinds)
            if k in (0, 1):
                out += bytes([k])
                continue
            ln = {2: 4, 3: 3, 4: 2, 5: 10, 8: 10, 253: 20, 254: self.r.choice((8, 20))}.get(k, 4)
            if self.coin(0.2):
                ln = self.r.randint(0, 44)  # zero, short, overlong
            out += bytes([k, ln]) + self.blob(max(0, min(ln, 40) - 2))
        return out[:40]

    def tcp(self, sport, dport, seq=None, flags=None):
        opts = self.tcp_options() if self.coin(0.6) else b""
        opts += b"\0" * (-len(opts) % 4)
        doff = (20 + len(opts)) // 4
        if self.coin(0.1):
            doff = self.r.randint(0, 15)
        if flags is None:
            flags = self.r.choice((0x02, 0x10, 0x12, 0x04, 0x14, 0x11, 0x18, 0x01, 0x00, 0x3f,
                                   self.r.getrandbits(8)))
        seq = self.r.getrandbits(32) if seq is None else seq
        hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, self.r.getrandbits(32),
                          doff << 4, flags, self.r.getrandbits(16), 0, 0)
        return hdr + opts + self.blob(self.r.choice((0, 0, 1, 100, 1200)))

    def udp(self, sport, dport):
        payload = self.blob(self.r.choice((0, 1, 8, 100, 1400)))
        ln = 8 + len(payload)
        if self.coin(0.15):
            ln = self.r.choice((0, 1, 7, ln - 1, ln + 1, 65535))
        return struct.pack("!HHHH", sport, dport, ln & 0xffff, 0) + payload

    def l4_checksum(self, l4, proto, pseudo):
        if proto == 6 and len(l4) >= 18:
            c = csum(pseudo + l4)
            return l4[:16] + struct.pack("!H", c if not self.coin(0.1) else c ^ 0x5a5a) + l4[18:]
        if proto == 17 and len(l4) >= 8:
            c = 0 if self.coin(0.1) else csum(pseudo + l4) or 0xffff
            return l4[:6] + struct.pack("!H", c) + l4[8:]
        return l4

    # ---- IPv4 ----
    def ip4(self, src, dst, proto, l4, frag=0, ident=None):
        opts = b""
        if self.coin(0.05):
            opts = self.blob(self.r.choice((4, 8, 40)))
        ihl = 5 + len(opts) // 4
        tot = 20 + len(opts) + len(l4)
        if self.coin(0.08):
            ihl = self.r.randint(0, 15)
        if self.coin(0.08):
            tot = self.r.choice((0, 19, 20, tot - 1, tot + 1, tot + 100, 65535))
        ttl = self.r.choice((64, 64, 64, 1, 0))
        ident = self.r.getrandbits(16) if ident is None else ident
        hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | (ihl & 15), 0, tot & 0xffff, ident, frag, ttl,
                          proto, 0, socket.inet_aton(src), socket.inet_aton(dst)) + opts
        c = csum(hdr)
        if self.coin(0.05):
            c ^= 0x1234
        return hdr[:10] + struct.pack("!H", c) + hdr[12:] + l4

    def pseudo4(self, src, dst, proto, ln):
        return socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, proto, ln)

    # ---- IPv6 ----
    def ext_chain(self, proto):
        """Extension headers in front of @proto: (first next header, bytes)."""
        out, nxt = b"", proto
        for _ in range(self.r.choice((0, 0, 1, 2, 3))):
            kind = self.r.choice((0, 43, 60, 44))
            if kind == 44:
                body = struct.pack("!BBHI", nxt, 0, self.r.getrandbits(16), self.r.getrandbits(32))
            else:
                hlen = self.r.choice((0, 0, 1, 5))
                body = bytes([nxt, hlen]) + self.blob(6 + 8 * hlen)
                if self.coin(0.1):
                    body = body[:self.r.randint(0, len(body))]  # lies about its length
            out, nxt = body + out, kind
        return nxt, out

    def ip6(self, src, dst, proto, l4):
        nxt, ext = self.ext_chain(proto)
        plen = len(ext) + len(l4)
        if self.coin(0.08):
            plen = self.r.choice((0, 1, plen - 1, plen + 1, plen + 100, 65535))
        hlim = self.r.choice((64, 64, 64, 1, 0))
        return struct.pack("!IHBB16s16s", 6 << 28, plen & 0xffff, nxt, hlim,
                           socket.inet_pton(socket.AF_INET6, src),
                           socket.inet_pton(socket.AF_INET6, dst)) + ext + l4

    def pseudo6(self, src, dst, proto, ln):
        return (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
                + struct.pack("!IxxxB", ln, proto))

    # ---- one packet ----
    def count(self, kind):
        self.kinds[kind] = self.kinds.get(kind, 0) + 1

    def packet(self):
        """(ethertype, payload) or a list of them (fragments)."""
        v6_target = [t for t in self.targets if ":" in t[0]]
        v4_target = [t for t in self.targets if ":" not in t[0]]
        v6 = bool(v6_target) and (not v4_target or self.coin(0.5))
        addr, port = self.r.choice(v6_target if v6 else v4_target)
        sport = self.r.randint(1, 65535)
        roll = self.r.random()
        if self.tuples and roll < 0.15:
            return self.game()
        if roll < 0.55:
            kind, proto = "tcp", 6
            l4 = self.tcp(sport, port)
        elif roll < 0.75:
            kind, proto = "udp", 17
            l4 = self.udp(sport, port)
        elif roll < 0.9:
            return self.icmp_error(v6, addr, port)
        else:
            kind, proto, l4 = "junk", self.r.choice((6, 17, 1, 58, 0, 255)), self.blob(
                self.r.randint(0, 40))
        if v6:
            src = self.src6
            l4 = self.l4_checksum(l4, proto, self.pseudo6(src, addr, proto, len(l4)))
            self.count(kind + "6")
            return (0x86dd, self.ip6(src, addr, proto, l4))
        src = self.src4
        l4 = self.l4_checksum(l4, proto, self.pseudo4(src, addr, proto, len(l4)))
        if self.coin(0.1) and len(l4) > 16:
            self.count("frag4")
            return self.fragments4(src, addr, proto, l4)
        self.count(kind + "4")
        return (0x0800, self.ip4(src, addr, proto, l4))

    def fragments4(self, src, dst, proto, l4):
        ident, out, off = self.r.getrandbits(16), [], 0
        while off < len(l4):
            ln = self.r.choice((8, 16, 24))
            start = max(0, off - (8 if self.coin(0.2) else 0))  # overlap now and then
            piece = l4[start:start + ln]
            mf = 0x2000 if start + ln < len(l4) else 0
            out.append((0x0800, self.ip4(src, dst, proto, piece, mf | (start // 8), ident)))
            off = start + ln
        if self.coin(0.5):
            self.r.shuffle(out)
        return out

    def icmp_error(self, v6, addr, port):
        """An error quoting a packet 'we' got from the target (forged or truncated)."""
        sport = self.r.randint(1, 65535)
        inner_l4 = struct.pack("!HHI", port, sport, self.r.getrandbits(32)) + self.blob(12)
        inner_l4 = inner_l4[:self.r.choice((0, 4, 8, 20))]
        proto = self.r.choice((6, 6, 17))
        if v6:
            inner = self.ip6(addr, self.src6, proto, inner_l4)
            inner = inner[:self.r.choice((len(inner), len(inner), 20, 40))]
            typ = self.r.choice((1, 2, 3, 4))
            body = struct.pack("!BBHI", typ, 0, 0, 1280 if typ == 2 else 0) + inner
            body = body[:2] + struct.pack("!H", csum(
                self.pseudo6(self.src6, addr, 58, len(body)) + body)) + body[4:]
            self.count("icmp6")
            return (0x86dd, self.ip6(self.src6, addr, 58, body))
        inner = self.ip4(addr, self.src4, proto, inner_l4)
        inner = inner[:self.r.choice((len(inner), len(inner), 10, 20))]
        typ = self.r.choice((3, 11, 12))
        body = struct.pack("!BBHHH", typ, 4 if typ == 3 else 0, 0, 0, 1200) + inner
        body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
        self.count("icmp4")
        return (0x0800, self.ip4(self.src4, addr, 1, body))

    def game(self):
        """A segment on a real connection, spoofing its client: random numbers."""
        caddr, cport, vaddr, vport = self.r.choice(self.tuples)
        flags = self.r.choice((0x04, 0x14, 0x02, 0x01, 0x11, 0x10, 0x12))
        l4 = self.tcp(int(cport), int(vport), flags=flags)
        self.count("game")
        if ":" in vaddr:
            l4 = self.l4_checksum(l4, 6, self.pseudo6(caddr, vaddr, 6, len(l4)))
            return (0x86dd, self.ip6(caddr, vaddr, 6, l4))
        l4 = self.l4_checksum(l4, 6, self.pseudo4(caddr, vaddr, 6, len(l4)))
        return (0x0800, self.ip4(caddr, vaddr, 6, l4))


def parse_target(t):
    if t.startswith("["):
        a, _, p = t[1:].partition("]:")
        return a, int(p)
    a, _, p = t.rpartition(":")
    return a, int(p)


def main():
    args = sys.argv[1:]
    tuples = []
    if "--tuples" in args:
        i = args.index("--tuples")
        with open(args[i + 1]) as f:
            tuples = [line.split() for line in f if len(line.split()) == 4]
        del args[i:i + 2]
    iface, dmac, seed, count = args[0], args[1], int(args[2]), int(args[3])
    targets = [parse_target(t) for t in args[4:]]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    smac = s.getsockname()[4]
    dst = bytes.fromhex(dmac.replace(":", ""))
    src4 = src6 = None
    for fam, var in ((socket.AF_INET, "src4"), (socket.AF_INET6, "src6")):
        for t in targets:
            if (fam == socket.AF_INET6) == (":" in t[0]):
                probe = socket.socket(fam, socket.SOCK_DGRAM)
                probe.connect((t[0], 9))
                if var == "src4":
                    src4 = probe.getsockname()[0]
                else:
                    src6 = probe.getsockname()[0]
                break
    g = Gen(seed, src4, src6, targets, tuples)
    sent = 0
    while sent < count:
        pkts = g.packet()
        for etype, payload in pkts if isinstance(pkts, list) else [pkts]:
            try:
                s.send(dst + smac + struct.pack("!H", etype) + payload)
            except OSError:
                pass  # a frame the device refuses (too long): nothing sent
            sent += 1
    print(json.dumps({"sent": sent, "kinds": g.kinds}, sort_keys=True))


if __name__ == "__main__":
    main()
