#!/usr/bin/python3
"""Edit a live nftlvs pool with the stock python3-nftables module.

A pool is a named nft map (`fullnat to @web ...`), so any nftables client can
change it while the rule stays: this script does it the way firewalld-style
tools do, with JSON batches that libnftables validates and commits as one
transaction each.

  lvs-pool.py [--family ip] [--table lvs] MAP list
  lvs-pool.py [...] MAP add    ADDR PORT [WEIGHT]   add a server (weight 1)
  lvs-pool.py [...] MAP weight ADDR PORT WEIGHT     change its weight (0 drains)
  lvs-pool.py [...] MAP drain  ADDR PORT            weight 0: no new connections
  lvs-pool.py [...] MAP remove ADDR PORT            take it out of the pool

MAP is `type ipv4_addr . inet_service : mark` (or ipv6_addr); the mark is the
weight. A weight change replaces the element: delete and add in one batch,
so no connection can see the server missing in between.
"""
import argparse
import sys

import nftables


class Pool:
    def __init__(self, family, table, name):
        self.family, self.table, self.name = family, table, name
        self.nft = nftables.Nftables()
        self.nft.set_json_output(True)
        self.nft.set_handle_output(False)

    def _run(self, commands):
        batch = {"nftables": commands}
        self.nft.json_validate(batch)    # raises on a malformed batch
        rc, out, err = self.nft.json_cmd(batch)
        if rc != 0:
            raise RuntimeError("nft: %s" % (err.strip() or "error %d" % rc))
        return out

    def _elem(self, addr, port, weight=None):
        key = {"concat": [addr, int(port)]}
        return key if weight is None else [key, int(weight)]

    def _set_ref(self, elems):
        return {"element": {"family": self.family, "table": self.table,
                            "name": self.name, "elem": elems}}

    def members(self):
        """{(addr, port): weight} as the kernel has them now."""
        out = self._run([{"list": {"map": {"family": self.family,
                                           "table": self.table,
                                           "name": self.name}}}])
        result = {}
        for obj in out["nftables"] if isinstance(out, dict) else []:
            for key, weight in obj.get("map", {}).get("elem", []):
                addr, port = key["concat"]
                result[(addr, int(port))] = int(weight)
        return result

    def add(self, addr, port, weight=1):
        self._run([{"add": self._set_ref([self._elem(addr, port, weight)])}])

    def weight(self, addr, port, weight):
        old = self.members().get((addr, int(port)))
        if old is None:
            raise RuntimeError("%s . %s is not in %s" % (addr, port, self.name))
        self._run([{"delete": self._set_ref([self._elem(addr, port, old)])},
                   {"add": self._set_ref([self._elem(addr, port, weight)])}])

    def remove(self, addr, port):
        old = self.members().get((addr, int(port)))
        if old is None:
            raise RuntimeError("%s . %s is not in %s" % (addr, port, self.name))
        self._run([{"delete": self._set_ref([self._elem(addr, port, old)])}])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--family", default="ip", choices=["ip", "ip6", "inet"])
    p.add_argument("--table", default="lvs")
    p.add_argument("map")
    p.add_argument("action", choices=["list", "add", "weight", "drain", "remove"])
    p.add_argument("args", nargs="*")
    a = p.parse_args()
    pool = Pool(a.family, a.table, a.map)
    want = {"list": (0, 0), "add": (2, 3), "weight": (3, 3), "drain": (2, 2),
            "remove": (2, 2)}[a.action]
    if not want[0] <= len(a.args) <= want[1]:
        p.error("%s takes %d to %d arguments" % (a.action, want[0], want[1]))
    try:
        if a.action == "list":
            for (addr, port), w in sorted(pool.members().items()):
                print("%s . %d : %d" % (addr, port, w))
        elif a.action == "add":
            pool.add(*a.args)
        elif a.action == "weight":
            pool.weight(*a.args)
        elif a.action == "drain":
            pool.weight(a.args[0], a.args[1], 0)
        else:
            pool.remove(*a.args)
    except Exception as e:  # nft refusals, schema violations
        print("lvs-pool: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
