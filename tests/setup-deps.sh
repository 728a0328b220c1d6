#!/bin/sh
# Install the Debian packages that building and testing nftlvs need, when missing.
#   tests/setup-deps.sh [EXTRA_PKG...]   EXTRA_PKG: more packages a caller needs (bench/run.sh)
# Adds bookworm-backports (for the second test kernel, 6.12.x) by reusing the mirror
# URI that the machine's own Debian apt source already uses.
set -eu

BUILD_PKGS="build-essential autoconf automake libtool pkg-config
	libmnl-dev libnftnl-dev libnftables-dev nftables libssl-dev libxtables-dev
	linux-image-amd64 linux-headers-amd64
	clang libclang-rt-14-dev bpftool libbpf-dev"
VM_PKGS="qemu-system-x86 busybox-static kmod xz-utils cpio iproute2 ethtool
	socat python3 tcpdump iputils-ping bsdextrautils python3-nftables bc keepalived frr iptables"

[ "$(id -u)" = 0 ] || { echo "setup-deps: must run as root (installs packages)" >&2; exit 1; }

# Print the URI of the first configured Debian mirror that serves bookworm.
debian_mirror() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
		     /Suites:[^\n]*bookworm([ \t\n]|$)/ {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); print a[2]; exit }
		     }' "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" && $0 ~ / bookworm / {
			for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }'
}

add_backports() {
	if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 0
	fi
	mirror=$(debian_mirror | head -n1)
	if [ -z "$mirror" ]; then
		echo "setup-deps: no Debian bookworm source found in apt sources;" \
		     "cannot add bookworm-backports" >&2
		return 1
	fi
	cat > /etc/apt/sources.list.d/nftlvs-bookworm-backports.sources <<EOT
Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	UPDATED=0
}

missing() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' || echo "$p"
	done
}

UPDATED=1
add_backports || true
need=$(missing $BUILD_PKGS $VM_PKGS "$@")
if [ -n "$need" ] || [ "$UPDATED" = 0 ]; then
	apt-get update -qq
fi
if [ -n "$need" ]; then
	echo "setup-deps: installing:" $need
	# keepalived and frr would start their daemons on this host: the tests run them in
	# the VM. A policy-rc.d (unless there is one) denies every start during the install.
	rcd=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		rcd=/usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
		printf '#!/bin/sh\nexit 101\n' > "$rcd" && chmod 755 "$rcd"
	fi
	apt-get install -y -qq --no-install-recommends $need >/dev/null
	[ -z "$rcd" ] || { rm -f "$rcd"; trap - EXIT; }
fi

# Second kernel: the newest 6.12 image and headers from bookworm-backports.
if ! ls /boot/vmlinuz-6.12.* >/dev/null 2>&1 || ! ls -d /usr/src/linux-headers-6.12.*-amd64 >/dev/null 2>&1; then
	[ "$UPDATED" = 0 ] || apt-get update -qq
	img=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9.+~a-z]*-amd64$' |
		awk '{print $1}' | grep -v -- '-dbg' | sort -V | tail -n1)
	if [ -n "$img" ]; then
		hdr=$(echo "$img" | sed 's/^linux-image-/linux-headers-/')
		echo "setup-deps: installing second kernel $img"
		apt-get install -y -qq --no-install-recommends -t bookworm-backports "$img" "$hdr" >/dev/null
	else
		echo "setup-deps: WARNING: no 6.12 kernel found in bookworm-backports" >&2
	fi
fi
