# shellcheck shell=bash
# Helpers for cases that exercise nft_lvs (sourced after assert.sh).
# LVSRULE, NFT_LVS_KO and TOP come from tests/guest-suite.sh.

lvsrule() { "$LVSRULE" "$@"; }

# Number of fullnat services the namespace's module state counts.
lvs_services() { awk '$1 == "services" { print $2 }' /proc/net/nft_lvs/stats; }

lvs_loaded() { grep -q '^nft_lvs ' /proc/modules; }

# Unload the module, waiting for namespaces that are being torn down in the
# background to release their rules (and with them the module references).
lvs_unload() {
	local _
	for _ in $(seq 1 100); do
		lvs_loaded || return 0
		rmmod nft_lvs 2>/dev/null && return 0
		sleep 0.1
	done
	rmmod nft_lvs
}

# A table with a base chain at HOOK (default prerouting) for FAMILY.
lvs_table() {	# lvs_table FAMILY [HOOK] [TABLE]
	local family=$1 hook=${2:-prerouting} table=${3:-lvs}
	nft add table "$family" "$table" &&
	nft add chain "$family" "$table" c "{ type filter hook $hook priority raw; policy accept; }"
}

# Imported, not run as a script: python caches a module's compiled code, never a script's
# (compiling it anew costs a noticeable part of each of the many short runs in an emulated
# guest). Not "-m" either: runpy and what it imports cost more than the call below. One
# word without spaces, so that $LBTRAFFIC splits into the right arguments.
export PYTHONPATH=$TOP/tests/lib${PYTHONPATH:+:$PYTHONPATH}
LBTRAFFIC="$PY -c __import__(\"sys\").exit(__import__(\"lbtraffic\").main())"

# Start echo servers (tests/lib/lbtraffic.py) named after their namespace in each of
# rs1..rs3, and wait until they listen.
lvs_start_servers() {	# lvs_start_servers LISTENER... [--udp] [--v6] [--hold S]
	# LISTENER: PORT[/udp][/v6][/hold=S]; the options are defaults for all of them.
	# One process per namespace serves them all (a start costs seconds here).
	local args=("$@") specs=() udp= v6= ns spec want
	while [ $# -gt 0 ]; do
		case $1 in
		--udp) udp=/udp ;;
		--v6) v6=/v6 ;;
		--hold) shift ;;
		*) specs+=("$1") ;;
		esac
		shift
	done
	for ns in rs1 rs2 rs3; do
		ip netns exec "$ns" $LBTRAFFIC serve "$ns" "${args[@]}" \
			>"/tmp/server-$ns-${specs[0]%%/*}.log" 2>&1 &
	done
	# Wanted sockets as ss prints them: "tcp 0.0.0.0:8080", "udp [::]:53", ...
	want=$(for spec in "${specs[@]}"; do
		spec=$spec$udp$v6
		case $spec in */udp*) printf udp ;; *) printf tcp ;; esac
		case $spec in */v6*) echo " [::]:${spec%%/*}" ;; *) echo " 0.0.0.0:${spec%%/*}" ;; esac
	done | sort -u)
	# A deadline, not a count of tries: with another case beside it a start takes longer.
	local end=$((SECONDS + 60)) missing
	for ns in rs1 rs2 rs3; do
		while :; do
			missing=$(comm -23 <(echo "$want") <(ip netns exec "$ns" ss -ltunH |
				awk '{ print $1, $5 }' | sort -u))
			[ -n "$missing" ] || break
			[ $SECONDS -lt $end ] ||
				fail "servers in $ns not listening after 60 s: $missing"
			sleep 0.1
		done
	done
}

# Connections that stay established through whatever happens meanwhile (a reload, a full
# table): N TCP connections from client to HOST:PORT that each keep sending until
# lvs_across_end. Returns once all of them carry data, non-zero if they do not. A fixed
# transfer is no substitute: on a slow guest it ends first, and its entries then expire.
lvs_across_start() {	# lvs_across_start N HOST PORT
	local i
	ACROSS_PIDS=()
	rm -f "$CASE_TMP"/across.*
	for i in $(seq 1 "$1"); do
		lvs_across_launch "$2" "$3"
	done
	lvs_across_wait
}

# One more such connection, after those before it carry data (lc sees them in order).
lvs_across_more() {	# lvs_across_more HOST PORT
	lvs_across_launch "$1" "$2"
	lvs_across_wait
}

lvs_across_launch() {	# connection number ${#ACROSS_PIDS[@]} + 1
	local i=$((${#ACROSS_PIDS[@]} + 1))
	in_ns client $LBTRAFFIC tcp "$1" "$2" --started "$CASE_TMP/across.$i.started" \
		--until "$CASE_TMP/across.end" --timeout 120 >"$CASE_TMP/across.$i.json" &
	ACROSS_PIDS+=($!)
}

lvs_across_wait() {	# until every connection launched carries data
	local _
	for _ in $(seq 1 $((300 * ${LVS_TEST_TIME_SCALE:-1}))); do
		[ "$(ls "$CASE_TMP"/across.*.started 2>/dev/null | wc -l)" = "${#ACROSS_PIDS[@]}" ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# End the connections of lvs_across_start: fails unless each completed, every byte echoed.
lvs_across_end() {	# lvs_across_end WHAT
	local i=0 pid
	touch "$CASE_TMP/across.end"
	for pid in "${ACROSS_PIDS[@]}"; do
		i=$((i + 1))
		if ! wait "$pid" || [ "$(json_get ok <"$CASE_TMP/across.$i.json")" != 1 ]; then
			fail "$1: connection $i: $(cat "$CASE_TMP/across.$i.json")"
		fi
	done
}

# lvs_spread_is SPREAD HOST PORT N WHAT: N connections from the client to HOST:PORT, one after
# the other, went to the servers as SPREAD (lbtraffic's "rs" object); the traffic tool's
# output is left in SPREAD_OUT. Behind synproxy-lb a client's handshake ACK and the request
# right behind it may be handled on two CPUs at once: both schedule, the later one's pick is
# lost (conn_clash) and the rotation moves on. After a clash only the number that got
# through is checked, and that none went to a server SPREAD does not name.
lvs_spread_is() {
	local clash0 clashes k
	clash0=$(lvs_stat conn_clash)
	SPREAD_OUT=$(in_ns client $LBTRAFFIC tcp "$2" "$3" --count "$4") ||
		fail "$5: traffic to $2 port $3: $SPREAD_OUT"
	clashes=$(($(lvs_stat conn_clash) - clash0))
	if [ "$clashes" = 0 ]; then
		assert_eq "$1" "$(json_get rs <<<"$SPREAD_OUT")" "$5"
	else
		log "$5: $clashes conn_clash, spread $(json_get rs <<<"$SPREAD_OUT") not checked"
		assert_eq "$4" "$(json_get ok <<<"$SPREAD_OUT")" "$5: connections through"
		for k in $(json_get rs <<<"$SPREAD_OUT" | grep -o '"[^"]*":'); do
			case $1 in *"$k"*) ;; *) fail "$5: a connection went to ${k%:}" ;; esac
		done
	fi
}

# lvs_from_port CPORT HOST PORT MSG: one exchange from the client namespace's TCP port CPORT;
# fails unless MSG came back. CPORT must lie above the ephemeral range (32768-60999): inside
# it, any other connection of the case may hold it (bind: EADDRINUSE, seen once). SO_REUSEADDR lets
# the next exchange take the port again; the client needs net.ipv4.tcp_tw_reuse=1 for that
# while its side is in TIME_WAIT, and a port the kernel refuses for now (EADDRNOTAVAIL) is
# tried again for 5 s.
lvs_from_port() {
	in_ns client $PY - "$@" <<'PY'
import errno, socket, sys, time
cport, host, port, msg = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4].encode()
family = socket.AF_INET6 if ":" in host else socket.AF_INET
deadline = time.monotonic() + 5
while True:
    s = socket.socket(family)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", cport))
    s.settimeout(10)
    try:
        s.connect((host, port))
        break
    except OSError as e:
        s.close()
        if e.errno != errno.EADDRNOTAVAIL or time.monotonic() > deadline:
            raise
        time.sleep(0.1)
s.sendall(msg)
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
assert data.endswith(msg), data
PY
}

# lvs_conn_of CPORT [STATE]: "real state" of lb's TCP connection from client port CPORT;
# with STATE, waits up to 10 s (scaled) for it to be in that state.
lvs_conn_of() {
	local line _
	for _ in $(seq 1 $((100 * ${LVS_TEST_TIME_SCALE:-1}))); do
		line=$(in_ns lb awk -v p=":$1" '$1 == "tcp" &&
			substr($2, length($2) - length(p) + 1) == p { print $5, $6 }' /proc/net/nft_lvs/conns)
		[ -z "${2:-}" ] || [ "${line#* }" = "$2" ] && break
		sleep 0.1
	done
	printf '%s\n' "$line"
}

# lvs_kill_server NS PORT: stop the echo server of namespace NS that serves PORT (first
# listener of its lvs_start_servers). Only processes inside this case's NS: another case
# running beside this one has its own rs1..rs3 with servers of the same command line.
lvs_kill_server() {
	local pid killed=1
	for pid in $(ip netns pids "$1"); do
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "lbtraffic.* serve $1 $2\b" ||
			continue
		kill "$pid" && killed=0
	done
	return $killed
}

# A prerouting table in lb: lb-dispatch first, then VIP:PORT/PROTO jumps to
# chain "svc" (where the test puts its fullnat), anything else to the VIP
# is dropped (the "defence" rule). The table is "ip lvs", or "ip6 lvs" for
# an IPv6 VIP.
lvs_service_table() {	# lvs_service_table VIP PORT [PROTO]
	local vip=$1 port=$2 proto=${3:-tcp} fam=ip
	case $vip in *:*) fam=ip6 ;; esac
	ip netns exec lb nft -f - <<NFT || return 1
table $fam lvs {
	counter dropped {}
	chain svc {
	}
	chain pre {
		type filter hook prerouting priority raw; policy accept;
	}
}
NFT
	ip netns exec lb "$LVSRULE" add $fam lvs pre lb-dispatch &&
	ip netns exec lb nft add rule $fam lvs pre $fam daddr "$vip" "$proto" dport "$port" jump svc &&
	ip netns exec lb nft add rule $fam lvs pre $fam daddr "$vip" meta l4proto '{ tcp, udp }' \
		counter name dropped drop
}

# The usual start of a TCP case: the topology, echo servers on 8080 in
# rs1..rs3 (LVS_SERVER_OPTS, e.g. "--hold 6", passed on to them), the
# service table for $VIP4:80 and "fullnat ARGS" (lvsrule's syntax) in its
# chain "svc". Needs topology.sh.
lvs_web_service() {	# lvs_web_service FULLNAT_ARGS...
	topo_setup || return 1
	# shellcheck disable=SC2086
	lvs_start_servers 8080 ${LVS_SERVER_OPTS:-}
	lvs_service_table "$VIP4" 80 tcp || return 1
	in_ns lb "$LVSRULE" add ip lvs svc fullnat "$@"
}

# Run "$@" once per combination of the client's TCP timestamps, SACK and
# window scaling (each on and off, set in the client namespace), with
# CLIENT_OPTS naming the combination ("ts=1 sack=0 ws=1").
lvs_each_client_options() {
	local ts sack ws
	for ts in 1 0; do
		for sack in 1 0; do
			for ws in 1 0; do
				ip netns exec client sysctl -qw net.ipv4.tcp_timestamps=$ts \
					net.ipv4.tcp_sack=$sack net.ipv4.tcp_window_scaling=$ws ||
					return 1
				CLIENT_OPTS="ts=$ts sack=$sack ws=$ws" "$@" || return 1
			done
		done
	done
}

# Count the TCP SYNs (without ACK) that arrive at PORT in each of rs1..rs3.
lvs_rs_count_syns() {	# lvs_rs_count_syns PORT
	local ns
	for ns in rs1 rs2 rs3; do
		ip netns exec "$ns" nft -f - <<NFT || return 1
table inet cap {
	counter syns {}
	chain in {
		type filter hook input priority 0; policy accept;
		tcp dport $1 tcp flags & (syn | ack) == syn counter name syns
	}
}
NFT
	done
}

# The SYNs counted since lvs_rs_count_syns, all real servers together.
lvs_rs_syns() {
	local n=0 ns v
	for ns in rs1 rs2 rs3; do
		v=$(ip netns exec "$ns" nft list counter inet cap syns |
			awk '$1 == "packets" { print $2 }')
		n=$((n + ${v:-0}))
	done
	echo $n
}

# Value of a counter in the lb namespace's /proc/net/nft_lvs/stats.
# Through topo_setup's process in lb while it is there (no process started), else entering lb.
lvs_stat() {
	local k v
	if [ -n "${TOPO_LB_PID:-}" ] && [ "/proc/$TOPO_LB_PID/ns/net" -ef /run/netns/lb ]; then
		while read -r k v; do
			[ "$k" != "$1" ] || { printf '%s\n' "$v"; return 0; }
		done <"/proc/$TOPO_LB_PID/net/nft_lvs/stats"
		return 0
	fi
	ip netns exec lb awk -v k="$1" '$1 == k { print $2 }' /proc/net/nft_lvs/stats
}

# Field of a JSON object on stdin: json_get KEY (nested: a.b). Prints a string or number as
# it is (True, False, None for the literals), an object or list as JSON with sorted keys.
json_get() {
	local json
	IFS= read -r -d '' json || :
	json=${json%$'\n'}
	_json_get_fast "$1" "$json" || printf '%s\n' "$json" | $PY -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v.get(k, {}) if isinstance(v, dict) else {}
print(json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v)' "$1"
}

# The keys of a flat JSON object (json_get's output for one), one per line.
json_keys() {	# json_keys JSON
	local rest=$1
	while [[ $rest =~ \"([^\"]*)\":\ (.*)$ ]]; do
		printf '%s\n' "${BASH_REMATCH[1]}"
		rest=${BASH_REMATCH[2]}
	done
}

# What json_get prints, without starting python (a second in the guest), for the usual case:
# one line as python's json.dumps(sort_keys=True) writes it (lbtraffic), a top-level KEY
# found once, a number, literal, plain string, or flat object with its keys in order. Else
# status 1 and json_get asks python.
_json_get_fast() {	# _json_get_fast KEY JSON
	local LC_ALL=C key=$1 json=$2 pat rest before open close value k prev=
	[[ $key != *.* && $json == '{'*'}' && $json != *$'\n'* ]] || return 1
	pat="\"$key\": "
	rest=${json#*"$pat"}
	[[ $rest != "$json" && ${rest#*"$pat"} == "$rest" ]] || return 1
	before=${json%%"$pat"*}
	open=${before//[^\{]/} close=${before//[^\}]/}
	[ $(( ${#open} - ${#close} )) = 1 ] || return 1
	case $rest in
	'{'*)
		value=${rest%%\}*}\}
		[[ $value != '{'*'{'* && $value != *'['* && $value != *\\* ]] || return 1
		# Keys in order: python would sort them.
		while read -r k; do
			[[ -z $prev || $prev < $k ]] || return 1
			prev=$k
		done < <(json_keys "$value")
		;;
	'"'*)
		value=${rest#\"}
		value=${value%%\"*}
		[[ $value != *\\* ]] || return 1
		;;
	true*) value=True ;;
	false*) value=False ;;
	null*) value=None ;;
	[0-9-]*) value=${rest%%[,\}]*} ;;
	*) return 1 ;;
	esac
	printf '%s\n' "$value"
}

# lvs_udp_answer ADDR PORT: what a connected UDP socket of the client gets from ADDR:PORT
# after sending (reply, refused: an ICMP error reached it, or timeout).
lvs_udp_answer() {
	in_ns client $PY -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((sys.argv[1], int(sys.argv[2])))
result = "timeout"
for _ in range(3):
    s.send(b"ping")
    try:
        s.recv(100)
        result = "reply"
        break
    except ConnectionRefusedError:
        result = "refused"
        break
    except socket.timeout:
        pass
print(result)' "$1" "$2"
}

# lvs_across NS HOST PORT CMD...: one TCP connection from NS to HOST:PORT that carries data
# before and after CMD runs (waits for the data to flow, not for a time); prints the
# client's JSON. Fails when CMD fails or the connection does not end byte-exact.
lvs_across() {
	local ns=$1 host=$2 port=$3 pid i
	local started=$CASE_TMP/across.started until=$CASE_TMP/across.until
	shift 3
	rm -f "$started" "$until"
	in_ns "$ns" $LBTRAFFIC tcp "$host" "$port" --started "$started" --until "$until" \
		--timeout 60 >"$CASE_TMP/across.json" &
	pid=$!
	for i in $(seq 600); do
		[ -e "$started" ] || ! kill -0 "$pid" 2>/dev/null && break
		sleep 0.1
	done
	[ -e "$started" ] || fail "connection to $host:$port for '$*' never carried data"
	"$@" || fail "in mid-connection: $*"
	touch "$until"
	wait "$pid" || fail "connection across '$*': $(cat "$CASE_TMP/across.json")"
	cat "$CASE_TMP/across.json"
}
