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
