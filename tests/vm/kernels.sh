#!/bin/bash
# Print, one per line and sorted by version, every kernel version KVER that the VM tests can
# use: its image /boot/vmlinuz-KVER boots the guest, and its build tree (headers) lets us
# compile the module against it. Versions are discovered, never assumed.
set -eu

for img in /boot/vmlinuz-*; do
	[ -e "$img" ] || continue
	kver=${img#/boot/vmlinuz-}
	if [ -d "/lib/modules/$kver/build" ] || [ -d "/usr/src/linux-headers-$kver" ]; then
		printf '%s\n' "$kver"
	fi
done | sort -V
