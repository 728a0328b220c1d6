#!/bin/bash
# from-clone.sh KVER [DIR]
#
# A clone anywhere must be able to run its guest commands: copy this repository's tracked files
# (the working tree's versions) into a fresh directory below DIR (default /tmp, where a new user
# often clones and which the guest covers with its own tmpfs), then boot KVER from the copy and
# run a script of the copy, in the copy, that reports where it runs and what it sees there.
# Exit status 0 when the guest ran the copy's script in the copy; 1 with the reason otherwise.
set -eu -o pipefail

[ $# -ge 1 ] || { echo "usage: $0 KVER [DIR]" >&2; exit 2; }
KVER=$1
BASE=${2:-/tmp}
REPO=$(cd "$(dirname "$0")/../.." && pwd)

clone=$(mktemp -d "$BASE/nftlvs-clone.XXXXXX")
trap 'rm -rf "$clone"' EXIT
if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$REPO" && git ls-files -z | cpio -0 -pdm --quiet "$clone")
else
	(cd "$REPO" && tar cf - tests) | (cd "$clone" && tar xf -)
fi
token=$RANDOM$RANDOM
printf '%s\n' "$token" > "$clone/.probe-token"
cat > "$clone/probe.sh" <<'PROBE'
#!/bin/bash
# Run in the guest from the copy: where am I, and is the copy's content here?
echo "cwd=$(pwd)"
echo "token=$(cat .probe-token)"
[ -x tests/run.sh ] && echo "tree=ok"
PROBE
chmod +x "$clone/probe.sh"

out=$("$clone/tests/vm/run.sh" -k "$KVER" -t 300 -o "$clone/build/probe" -- "$clone/probe.sh" 2>&1) || {
	printf '%s\n' "$out" | tail -n 20
	echo "from-clone: the guest could not run $clone/probe.sh" >&2
	exit 1
}
for want in "cwd=$clone" "token=$token" "tree=ok"; do
	if ! grep -qxF "$want" <<<"$out"; then
		printf '%s\n' "$out" | tail -n 20
		echo "from-clone: expected '$want' from the guest" >&2
		exit 1
	fi
done
echo "from-clone: a clone in $BASE runs its guest commands (kernel $KVER)"
