#!/usr/bin/python3
"""Traffic for load-balancer tests: real-server endpoints and clients.

  lbtraffic.py serve NAME LISTENER... [--udp] [--v6] [--hold S]
                                            echo servers that say who they are, one
                                            per LISTENER, PORT[/udp][/v6][/hold=S]
                                            (v6: on IPv6 only, beside an IPv4 one;
                                            hold: a TCP server keeps the connection
                                            S seconds after its answer, a UDP server
                                            answers S seconds late)
  lbtraffic.py tcp HOST PORT [options]      TCP connections, checked end to end
                                            (--started F --until G: one connection that
                                            creates F once it carries data and goes on
                                            sending until G exists: a change made
                                            meanwhile happens in mid-connection)
  lbtraffic.py udp HOST PORT [options]      UDP exchanges, checked end to end
  lbtraffic.py tcpopts PCAP                 TCP flags and options of each packet
  lbtraffic.py icmpquotes PCAP ADDR         do ICMP errors to ADDR quote its own segments?

A server answers every connection (or datagram) with one header line,
    {"rs": NAME, "peer": "IP:PORT", "len": N, "crc32": N}\n
followed by the bytes it received, so the client can check that every
byte went through unchanged in both directions and learn which real
server answered and which address that server saw as its peer.

The client prints one JSON object: per-server counts, peers seen, and
failures. It exits 1 if any exchange failed. Every run is bounded by
--count and --timeout (seconds, times LVS_TEST_TIME_SCALE when set: the
runner sets it on a debug kernel).

A client's start is most of its cost in an emulated guest (seconds, most of them imports):
only light modules of the standard library are imported up front; no argparse, hashlib
(OpenSSL) or socketserver for a client, and no json (it imports re and enum, about half a
second of the emulated guest's time per start): to_json and parse_header below write and
read the little JSON this tool speaks.
"""
import os
import socket
import sys
import threading
import time
import zlib


def json_str(s):
    """s as json.dumps writes it (ASCII only, the same escapes)."""
    out = ['"']
    for c in s:
        o = ord(c)
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif 0x20 <= o < 0x7f:
            out.append(c)
        elif c in JSON_SHORT:
            out.append(JSON_SHORT[c])
        elif o > 0xffff:
            o -= 0x10000
            out.append("\\u%04x\\u%04x" % (0xd800 | o >> 10, 0xdc00 | (o & 0x3ff)))
        else:
            out.append("\\u%04x" % o)
    out.append('"')
    return "".join(out)


JSON_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def to_json(v):
    """v (dicts with string keys, lists, strings, numbers, booleans, None) as
    json.dumps(v, sort_keys=True) writes it, byte for byte."""
    if isinstance(v, dict):
        return "{" + ", ".join(json_str(k) + ": " + to_json(v[k]) for k in sorted(v)) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(to_json(x) for x in v) + "]"
    if isinstance(v, str):
        return json_str(v)
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, float):
        return float.__repr__(v)
    return int.__repr__(v)


def parse_header(line):
    """The reply's header line, a flat object of strings and integers as header() writes
    it; anything else (an escape in a string, another kind of value) goes to json."""
    text = line.decode()
    body = text.strip()
    if body[:1] == "{" and body[-1:] == "}" and "\\" not in body:
        info = {}
        for item in body[1:-1].split(", "):
            key, sep, val = item.partition(": ")
            if not sep or key[:1] != '"' or key[-1:] != '"':
                break
            if val[:1] == '"' and val[-1:] == '"' and len(val) >= 2:
                info[key[1:-1]] = val[1:-1]
            elif val.lstrip("-").isdigit():
                info[key[1:-1]] = int(val)
            else:
                break
        else:
            return info
    import json
    return json.loads(text)


def header(name, peer, data):
    return (to_json({"rs": name, "peer": "%s:%d" % peer[:2], "len": len(data),
                     "crc32": zlib.crc32(data)}) + "\n").encode()


def recv_all(sock):
    chunks = []
    while True:
        b = sock.recv(1 << 16)
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def parse_listener(spec, args):
    """PORT[/udp][/v6][/hold=S], the command line's --udp, --v6, --hold as defaults."""
    parts = spec.split("/")
    lst = {"port": int(parts[0]), "udp": args.udp, "v6": args.v6, "hold": args.hold}
    for opt in parts[1:]:
        if opt in ("udp", "v6"):
            lst[opt] = True
        elif opt.startswith("hold="):
            lst["hold"] = float(opt[5:])
        else:
            raise SystemExit("serve: bad listener option %r in %r" % (opt, spec))
    return lst


def serve_one(name, udp, v6, port, hold):
    """A server on PORT; returns it (not yet serving)."""
    import socketserver

    class TCPHandler(socketserver.BaseRequestHandler):
        def handle(self):
            data = recv_all(self.request)
            self.request.sendall(header(name, self.client_address, data) + data)
            if hold:
                time.sleep(hold)

    class UDPHandler(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock = self.request
            if hold:
                # late enough that the client can be gone (its port closed)
                time.sleep(hold)
            sock.sendto(header(name, self.client_address, data) + data,
                        self.client_address)

    family = socket.AF_INET6 if v6 else socket.AF_INET

    def bind(server):
        if family == socket.AF_INET6:
            # the IPv4 server on the same port stays the IPv4 one
            server.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)

    class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
        address_family = family
        allow_reuse_address = True
        daemon_threads = True
        request_queue_size = 256

        def server_bind(self):
            bind(self)
            super().server_bind()

    class UDPServer(socketserver.UDPServer):
        address_family = family
        allow_reuse_address = True
        max_packet_size = 65535

        def server_bind(self):
            bind(self)
            super().server_bind()

    anyaddr = "::" if v6 else "0.0.0.0"
    if udp:
        return UDPServer((anyaddr, port), UDPHandler)
    return TCPServer((anyaddr, port), TCPHandler)


def serve(args):
    # Every listener in one process: a process start costs seconds in an emulated guest.
    servers = [serve_one(args.name, **parse_listener(spec, args)) for spec in args.listeners]
    for srv in servers[1:]:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    servers[0].serve_forever()


def check_reply(reply, payload):
    line, _, echo = reply.partition(b"\n")
    info = parse_header(line)
    ok = (echo == payload and info["len"] == len(payload)
          and info["crc32"] == zlib.crc32(payload))
    return info, ok


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


# A hop-by-hop and a destination options header on every packet the socket
# sends (the kernel fills in the next header): 8 bytes each, a PadN option.
EXT_OPTS = bytes([0, 0, 1, 4, 0, 0, 0, 0])


def client_socket(args, kind):
    s = socket.socket(family_of(args.host), kind)
    s.settimeout(args.timeout)
    if args.ext6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, EXT_OPTS)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, EXT_OPTS)
    return s


def tcp_once(args, payload, src):
    s = client_socket(args, socket.SOCK_STREAM)
    try:
        if src:
            s.bind((src, 0))
        s.connect((args.host, args.port))
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        return check_reply(recv_all(s), payload)
    finally:
        s.close()


def tcp_across(args, payload, src):
    """One connection that spans an event: --started once data flows, then pieces
    until --until exists (and a few after, so packets follow the event both ways)."""
    s = client_socket(args, socket.SOCK_STREAM)
    sent = []
    deadline = time.monotonic() + args.timeout
    try:
        if src:
            s.bind((src, 0))
        s.connect((args.host, args.port))
        after = 0
        while after < 10:
            piece = os.urandom(1000)
            s.sendall(piece)
            sent.append(piece)
            if len(sent) == 5:
                open(args.started, "w").close()
            if os.path.exists(args.until):
                after += 1
            if time.monotonic() > deadline:
                raise TimeoutError("%s never appeared" % args.until)
            time.sleep(0.02)
        s.shutdown(socket.SHUT_WR)
        payload = b"".join(sent)
        return check_reply(recv_all(s), payload)
    finally:
        s.close()


def udp_once(args, payload, src):
    family = family_of(args.host)
    s = client_socket(args, socket.SOCK_DGRAM)
    try:
        s.bind((src or ("::" if family == socket.AF_INET6 else "0.0.0.0"), 0))
        s.sendto(payload, (args.host, args.port))
        reply, _ = s.recvfrom(1 << 17)
        return check_reply(reply, payload)
    finally:
        s.close()


def client(args, once):
    sources = args.src.split(",") if args.src else [None]
    result = {"ok": 0, "failed": 0, "rs": {}, "peers": {}, "errors": []}
    if args.src:
        result["by_src"] = {}  # source address -> {server: connections}
    lock = threading.Lock()
    todo = list(range(args.count))

    def worker(n):
        time.sleep(n * args.stagger)
        while True:
            with lock:
                if not todo:
                    return
                i = todo.pop(0)
            size = args.size
            if args.sizes:
                sizes = [int(x) for x in args.sizes.split(",")]
                size = sizes[i % len(sizes)]
            payload = os.urandom(size)
            src = sources[i % len(sources)]
            try:
                info, ok = once(args, payload, src)
            except Exception as e:  # noqa: BLE001 - reported, not hidden
                with lock:
                    result["failed"] += 1
                    result["errors"].append("%d: %s" % (i, e))
                continue
            with lock:
                if ok:
                    result["ok"] += 1
                else:
                    result["failed"] += 1
                    result["errors"].append("%d: payload mismatch" % i)
                result["rs"][info["rs"]] = result["rs"].get(info["rs"], 0) + 1
                if src:
                    per = result["by_src"].setdefault(src, {})
                    per[info["rs"]] = per.get(info["rs"], 0) + 1
                peer_ip = info["peer"].rsplit(":", 1)[0]
                result["peers"][peer_ip] = result["peers"].get(peer_ip, 0) + 1

    threads = [threading.Thread(target=worker, args=(n,))
               for n in range(args.parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result["errors"] = result["errors"][:10]
    print(to_json(result))
    return 0 if result["failed"] == 0 else 1


def tcp_options(opts):
    """(kind, bytes) of each option; stops at EOL or a malformed one."""
    i, out = 0, []
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        n = opts[i + 1]
        out.append((kind, opts[i + 2:i + n]))
        i += n
    return out


def pcap_ip(path, ethertypes=(b"\x08\x00", b"\x86\xdd")):
    """The IP packets (from the IP header on) of an Ethernet pcap (tcpdump -w)."""
    import struct
    with open(path, "rb") as f:
        data = f.read()
    endian = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if len(pkt) >= 34 and pkt[12:14] in ethertypes:
            yield pkt[14:]


def pcap_ipv4(path):
    """The IPv4 packets of an Ethernet pcap."""
    return pcap_ip(path, (b"\x08\x00",))


def ip_parts(ip):
    """(src, dst, protocol, payload) of an IPv4 packet or of an IPv6 packet without
    extension headers (what our tests send), or None."""
    if len(ip) >= 20 and ip[0] >> 4 == 4:
        return ip[12:16], ip[16:20], ip[9], ip[(ip[0] & 15) * 4:]
    if len(ip) >= 40 and ip[0] >> 4 == 6:
        return ip[8:24], ip[24:40], ip[6], ip[40:]
    return None


def ntop(raw):
    return socket.inet_ntop(socket.AF_INET6 if len(raw) == 16 else socket.AF_INET, raw)


def tcpopts(args):
    """One JSON line per IPv4 TCP packet of an Ethernet pcap (tcpdump -w)."""
    import struct
    for ip in pcap_ipv4(args.pcap):
        if ip[9] != 6:
            continue
        th = ip[(ip[0] & 15) * 4:]
        hl = (th[12] >> 4) * 4
        flags = "".join(c for c, b in zip("FSRPAU", range(6)) if th[13] & (1 << b))
        rec = {"src": socket.inet_ntoa(ip[12:16]), "dst": socket.inet_ntoa(ip[16:20]),
               "sport": struct.unpack(">H", th[0:2])[0],
               "dport": struct.unpack(">H", th[2:4])[0], "flags": flags,
               "ttl": ip[8]}
        for kind, val in tcp_options(th[20:hl]):
            if kind == 2 and len(val) == 2:
                rec["mss"] = struct.unpack(">H", val)[0]
            elif kind == 3 and len(val) == 1:
                rec["ws"] = val[0]
            elif kind == 4:
                rec["sackok"] = True
            elif kind == 8:
                rec["ts"] = True
            elif kind == 254 and len(val) == 6:
                rec["toa"] = "%s:%d" % (socket.inet_ntoa(val[2:6]),
                                        struct.unpack(">H", val[0:2])[0])
        print(to_json(rec))
    return 0


def icmpquotes(args):
    """ICMP and ICMPv6 errors addressed to ADDR about TCP: each must quote a segment
    ADDR sent before it (the capture is taken at ADDR's interface): addresses, ports
    and ack byte for byte, and a seq inside what that segment carried (a router that
    merges segments, GRO, quotes a boundary inside what ADDR sent as one). Prints
    counts and misfits."""
    import struct
    family = socket.AF_INET6 if ":" in args.addr else socket.AF_INET
    addr = socket.inet_pton(family, args.addr)
    # ICMP: unreachable, time exceeded; ICMPv6: unreachable, too big, time exceeded.
    errors = {1: (3, 11), 58: (1, 2, 3)}
    sent, res = {}, {"icmp": 0, "matched": 0, "unmatched": []}
    for ip in pcap_ip(args.pcap):
        parts = ip_parts(ip)
        if not parts:
            continue
        src, dst, proto, l4 = parts
        if proto == 6 and src == addr and len(l4) >= 20:
            if ip[0] >> 4 == 4:
                payload = struct.unpack(">H", ip[2:4])[0] - (ip[0] & 15) * 4
            else:
                payload = struct.unpack(">H", ip[4:6])[0]
            seq = struct.unpack(">I", l4[4:8])[0]
            seglen = max(payload - (l4[12] >> 4) * 4, 1)
            sent.setdefault((src + dst, l4[:4], l4[8:12]), []).append((seq, seglen))
        elif dst == addr and l4 and l4[0] in errors.get(proto, ()):
            inner = ip_parts(l4[8:])
            if not inner or inner[2] != 6 or len(inner[3]) < 12:
                continue
            th = inner[3][:12]
            res["icmp"] += 1
            qseq = struct.unpack(">I", th[4:8])[0]
            segs = sent.get((inner[0] + inner[1], th[:4], th[8:12]), ())
            if any((qseq - seq) % 2**32 < seglen for seq, seglen in segs):
                res["matched"] += 1
            elif len(res["unmatched"]) < 5:
                sport, dport, seq, ack = struct.unpack(">HHII", th)
                res["unmatched"].append("%s:%d > %s:%d seq %d ack %d" % (
                    ntop(inner[0]), sport, ntop(inner[1]), dport, seq, ack))
    print(to_json(res))
    return 0


class Args:
    """The parsed command line: positional arguments and options as attributes."""


# Per command: its positional arguments (a trailing "..." takes the rest, at least one) and
# its options, each with a converter (None: a flag) and a default.
CLIENT_OPTS = {"count": (int, 1), "size": (int, 100), "sizes": (str, None),
               "parallel": (int, 1), "timeout": (float, 10), "stagger": (float, 0),
               "src": (str, None), "ext6": (None, False)}
COMMANDS = {
    "serve": (["name", "listeners..."],
              {"udp": (None, False), "v6": (None, False), "hold": (float, 0)}),
    "tcp": (["host", "port"], dict(CLIENT_OPTS, started=(str, None), until=(str, None))),
    "udp": (["host", "port"], CLIENT_OPTS),
    "tcpopts": (["pcap"], {}),
    "icmpquotes": (["pcap", "addr"], {}),
}


def parse_args(argv):
    def usage(msg):
        raise SystemExit("lbtraffic: %s (see the top of %s)" % (msg, __file__))
    if not argv or argv[0] not in COMMANDS:
        usage("a command first: " + ", ".join(COMMANDS))
    args = Args()
    args.cmd = argv[0]
    positional, opts = COMMANDS[args.cmd]
    for name, (_, default) in opts.items():
        setattr(args, name, default)
    rest = []
    words = iter(argv[1:])
    for w in words:
        if not w.startswith("--"):
            rest.append(w)
            continue
        name = w[2:].replace("-", "_")
        if name not in opts:
            usage("%s: unknown option %s" % (args.cmd, w))
        conv = opts[name][0]
        if conv is None:
            setattr(args, name, True)
            continue
        value = next(words, None)
        if value is None:
            usage("%s: %s needs a value" % (args.cmd, w))
        try:
            setattr(args, name, conv(value))
        except ValueError:
            usage("%s: bad value %r for %s" % (args.cmd, value, w))
    for i, name in enumerate(positional):
        if name.endswith("..."):
            if len(rest) <= i:
                usage("%s: %s missing" % (args.cmd, name[:-3]))
            setattr(args, name[:-3], rest[i:])
            rest = rest[:i + 1]
            break
        if i >= len(rest):
            usage("%s: %s missing" % (args.cmd, name))
        setattr(args, name, rest[i])
    if len(rest) > len(positional):
        usage("%s: unexpected argument %r" % (args.cmd, rest[len(positional)]))
    if hasattr(args, "port"):
        try:
            args.port = int(args.port)
        except ValueError:
            usage("%s: bad port %r" % (args.cmd, args.port))
    # A debug kernel stretches every limit (tests/lib/runner.sh exports the factor).
    if hasattr(args, "timeout"):
        args.timeout *= float(os.environ.get("LVS_TEST_TIME_SCALE") or 1)
    return args


def main():
    args = parse_args(sys.argv[1:])
    if args.cmd == "tcpopts":
        return tcpopts(args)
    if args.cmd == "icmpquotes":
        return icmpquotes(args)
    if args.cmd == "serve":
        serve(args)
        return 0
    if args.cmd == "tcp" and (args.started or args.until):
        if not (args.started and args.until) or args.count != 1:
            raise SystemExit("lbtraffic: --started and --until go together, with --count 1")
        return client(args, tcp_across)
    return client(args, tcp_once if args.cmd == "tcp" else udp_once)


if __name__ == "__main__":
    sys.exit(main())
