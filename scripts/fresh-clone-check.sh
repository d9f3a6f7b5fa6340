#!/usr/bin/env bash
# What a new user does, checked: `git clone` of main into an empty temporary folder with
# nothing beside it, the default bridge name (wharf0) held by something else, then the
# README's two commands (the demo, and .ci/run). Passes when the demo exits 0, .ci/run
# ends with "N passed, 0 failed", and /proc/mounts, `ip link` and iptables-save are as
# they were before. Usage: scripts/fresh-clone-check.sh [REPO] (default: this script's
# repository); BRANCH=name clones another branch; SKIP_CI=1 runs only the demo;
# IGNORE=REGEX leaves out snapshot lines of other work running on the machine meanwhile.
set -uo pipefail
src=${1:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}
branch=${BRANCH:-main}
[ "$(id -u)" = 0 ] || { echo "fresh-clone-check: run as root (the demo and the tests start daemons)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/wharf-fresh.XXXXXX)
held=
snap() {
  {
    echo "## mounts"; sort /proc/mounts
    echo "## links"; ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
    echo "## iptables"; iptables-save | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//' | sort
  } | { if [ -n "${IGNORE:-}" ]; then grep -Ev -- "$IGNORE"; else cat; fi; } >"$1"
}
cleanup() {
  trap '' INT TERM
  [ -n "$held" ] && ip link del "$held" 2>/dev/null
  rm -rf "$tmp" "$tmp".*
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Something else holds the default bridge name, as on a machine where another wharf runs.
if ! ip link show wharf0 >/dev/null 2>&1; then
  if ip link add wharf0 type dummy 2>/dev/null || ip link add wharf0 type bridge; then held=wharf0; fi
fi
echo "fresh-clone-check: wharf0 is held by: $(ip -o link show wharf0 | awk '{print $2, $3}')"

snap "$tmp.before"
echo "fresh-clone-check: git clone --branch $branch $src $tmp/wharf"
git clone -q --branch "$branch" "$src" "$tmp/wharf" || exit 1
[ "$(ls -A "$tmp")" = wharf ] || { echo "fresh-clone-check: the temporary folder holds more than the clone" >&2; exit 1; }
cd "$tmp/wharf" || exit 1
if grep -rn --exclude-dir=.git -- '\.\./shared' . >/dev/null; then
  echo "fresh-clone-check: the clone names the folder beside it (shared):" >&2
  grep -rn --exclude-dir=.git -- '\.\./shared' . | head >&2
  exit 1
fi

# A link out of the clone would let npm ci or the tests write outside it.
outside=$(find . -path ./.git -prune -o -type l -print | while read -r l; do
  t=$(readlink -f "$l"); case "$t" in "$tmp/wharf"/*) ;; *) echo "$l -> $t" ;; esac
done)
[ -z "$outside" ] || { echo "fresh-clone-check: the clone has links out of it:" >&2; echo "$outside" >&2; exit 1; }

# The README's two commands: the lines of its first sh block, comments dropped.
mapfile -t cmds < <(awk '/^```sh$/ {on = 1; next} on && /^```$/ {exit} on' README.md | sed 's/[[:space:]]*#.*$//' | grep -v '^[[:space:]]*$')
[ "${#cmds[@]}" = 2 ] || { echo "fresh-clone-check: expected two commands in the README, found ${#cmds[@]}: ${cmds[*]}" >&2; exit 1; }
status=0

echo "fresh-clone-check: \$ ${cmds[0]}"
bash -c "${cmds[0]}" 2>&1 | tee "$tmp.demo"
demo=${PIPESTATUS[0]}
echo "fresh-clone-check: the demo exited $demo"
[ "$demo" = 0 ] || status=1
grep -q '^hello from a wharf container' "$tmp.demo" || { echo "fresh-clone-check: the demo did not print its container's line" >&2; status=1; }

if [ -z "${SKIP_CI:-}" ]; then
  echo "fresh-clone-check: \$ ${cmds[1]}"
  bash -c "${cmds[1]}" 2>&1 | tee "$tmp.ci" | grep -E '^ *(Test Files|Tests) |passed, .* failed$|FAIL '
  ci=${PIPESTATUS[0]}
  last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp.ci" | tail -1)
  echo "fresh-clone-check: .ci/run exited $ci: $last"
  [[ "$ci" = 0 && "$last" =~ ^[0-9]+\ passed,\ 0\ failed$ ]] || status=1
fi

cd / || exit 1
rm -rf "$tmp/wharf"
snap "$tmp.after"
if diff -u "$tmp.before" "$tmp.after" >"$tmp.diff"; then
  echo "fresh-clone-check: /proc/mounts, ip link and iptables-save are as before"
else
  echo "fresh-clone-check: the host changed:" >&2
  cat "$tmp.diff" >&2
  status=1
fi
rm -f "$tmp.before" "$tmp.after" "$tmp.diff" "$tmp.demo" "$tmp.ci"
echo "fresh-clone-check: $([ $status = 0 ] && echo PASS || echo FAIL)"
exit $status
