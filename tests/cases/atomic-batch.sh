#!/bin/bash
# Rules go in batches: if any rule of a batch is refused, none is added,
# and everything that was allocated for the good ones is freed again.
# exclusive: unloads nft_lvs
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"

lvs_table ip
assert_ok lvsrule add ip lvs c lb-dispatch
assert_ok lvsrule add ip lvs c fullnat pool=10.1.0.1 laddrs=10.1.0.254
lvsrule list -r ip lvs c >/tmp/before

# last rule bad, first rule bad, middle rule bad
assert_fails_with ERANGE lvsrule add ip lvs c \
	fullnat pool=10.1.0.2 laddrs=10.1.0.254 -- synproxy-lb -- fullnat pool=10.1.0.3:0 laddrs=10.1.0.254
assert_fails_with EOPNOTSUPP lvsrule add ip lvs c \
	fullnat pool=10.1.0.2 laddrs=10.1.0.254 sched=77 -- fullnat pool=10.1.0.4 laddrs=10.1.0.254
assert_fails_with EINVAL lvsrule add ip lvs c \
	fullnat pool=10.1.0.5 laddrs=10.1.0.254 -- fullnat pool= laddrs=10.1.0.254 -- lb-dispatch

lvsrule list -r ip lvs c | diff -u /tmp/before - || fail "a refused batch changed the chain"
assert_eq 1 "$(lvs_services)" "services after refused batches"

# A good batch lands whole.
assert_ok lvsrule add ip lvs c fullnat pool=10.1.0.2 laddrs=10.1.0.254 -- \
	fullnat pool=10.1.0.3 laddrs=10.1.0.254 -- synproxy-lb
assert_eq 5 "$(lvsrule list ip lvs c | wc -l)" "rules after a good batch"
assert_eq 3 "$(lvs_services)" "services after a good batch"

# Many refused batches must not leak: the module refuses to leave with a
# WARNING if a single service object is left behind.
for _ in $(seq 1 50); do
	lvsrule add ip lvs c fullnat pool=10.1.0.2 laddrs=10.1.0.254 -- \
		fullnat pool=10.1.0.3 laddrs=10.1.0.254 port-min=9 port-max=8 2>/dev/null &&
		fail "bad batch accepted"
done
nft flush ruleset
assert_ok lvs_unload
