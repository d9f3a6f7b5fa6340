#!/usr/bin/env bash
# The main job on a fresh machine: start a wharf daemon on a temporary socket, data root,
# bridge name and subnet that nothing else on the host holds, load busybox (written by a
# real Docker), run containers with the real docker CLI and with wharf's own client, then
# stop the daemon. Whether it succeeds, fails or is interrupted (ctrl-c), it leaves
# nothing behind: no folder, mount, bridge, iptables chain or process.
# WHARF_DEMO_DAEMON_ARGS adds daemon flags (later ones win), e.g. to see a failing start.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x dist/wharf ] || npm run build
# The default bridge network needs iptables for NAT and published ports.
if ! command -v iptables >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables >/dev/null
fi

# A bridge name no link has: the default (wharf0) may belong to another daemon.
bridge=
for _ in $(seq 50); do
  b="wdemo$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
  ip link show "$b" >/dev/null 2>&1 || { bridge=$b; break; }
done
[ -n "$bridge" ] || { echo "demo: found no free bridge name" >&2; exit 1; }
# A /24 no route of the host overlaps, in 10.200.0.0/13, starting at a random one.
routes=$(ip -4 route show table all)
bip=
start=$(( $(od -An -N2 -tu2 /dev/urandom) ))
for i in $(seq 0 2047); do
  n=$(( (start + i) % 2048 ))
  net="10.$(( 200 + n / 256 )).$(( n % 256 ))"
  grep -qE "(^| )(${net//./\\.}\.|10\.$(( 200 + n / 256 ))\.0\.0/16)" <<<"$routes" || { bip="$net.1/24"; break; }
done
[ -n "$bip" ] || { echo "demo: found no free /24 in 10.200.0.0/13" >&2; exit 1; }

dir=$(mktemp -d /tmp/wharf-demo.XXXXXX)
pid=
export DOCKER_HOST="unix://$dir/wharf.sock"
export DOCKER_CONFIG="$dir/docker-config"

daemon_failed() {
  echo "demo: the wharf daemon failed; its output:" >&2
  sed 's/^/  | /' "$dir/daemon.log" >&2 || true
}

cleanup() {
  local rc=$?
  trap "" INT TERM
  set +e
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # Running containers outlive a daemon (and keep its bridge): remove them first.
    ids=$(timeout 10 ./dist/wharf ps -aq 2>/dev/null || true)
    [ -z "$ids" ] || timeout 20 ./dist/wharf rm -f $ids >/dev/null 2>&1 || true
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  # Whatever a killed daemon could not undo: processes started from this folder, its
  # mounts (deepest first), its bridge and chains.
  for p in /proc/[0-9]*; do
    if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF "$dir/"; then kill -KILL "${p#/proc/}" 2>/dev/null || true; fi
  done
  awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  if [ "$(ip -j link show dev "$bridge" 2>/dev/null | grep -o "\"ifalias\":\"wharf:$dir/data\"")" ]; then
    ip link del "$bridge" 2>/dev/null || true
  fi
  for t in nat:PREROUTING:WHARF-$bridge nat:OUTPUT:WHARF-$bridge nat:POSTROUTING:WHARF-POST-$bridge filter:FORWARD:WHARF-FWD-$bridge; do
    IFS=: read -r table from chain <<<"$t"
    iptables -w -t "$table" -S "$from" 2>/dev/null | grep -- "-j $chain\$" | sed 's/^-A/-D/' | while read -r rule; do
      eval iptables -w -t "$table" "$rule" 2>/dev/null || true
    done
  done
  for t in nat:WHARF-$bridge nat:WHARF-POST-$bridge filter:WHARF-FWD-$bridge filter:WHARF-ISO-$bridge; do
    iptables -w -t "${t%%:*}" -F "${t#*:}" 2>/dev/null && iptables -w -t "${t%%:*}" -X "${t#*:}" 2>/dev/null || true
  done
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "demo: daemon on $DOCKER_HOST, bridge $bridge, subnet $bip"
# An empty configuration of its own: the host's /etc/wharf/daemon.json is not the demo's.
echo '{}' >"$dir/daemon.json"
# Its own session: a ctrl-c meant for the demo reaches the daemon only through cleanup.
setsid ./dist/wharf -d -H "$DOCKER_HOST" --data-root "$dir/data" --exec-root "$dir/exec" \
  --bridge "$bridge" --bip "$bip" --config-file "$dir/daemon.json" ${WHARF_DEMO_DAEMON_ARGS:-} >"$dir/daemon.log" 2>&1 &
pid=$!
ready=
for _ in $(seq 200); do
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  if [ -S "$dir/wharf.sock" ] && [ "$(curl -s --max-time 2 --unix-socket "$dir/wharf.sock" http://wharf/_ping 2>/dev/null)" = OK ]; then ready=1; break; fi
  sleep 0.05
done
if [ -z "$ready" ]; then daemon_failed; exit 1; fi

step() {
  if ! "$@"; then
    echo "demo: failed: $*" >&2
    kill -0 "$pid" 2>/dev/null || daemon_failed
    exit 1
  fi
}
step docker version --format 'server: {{.Server.Platform.Name}} API {{.Server.APIVersion}}'
step ./dist/wharf load -i test/fixtures/busybox-docker-save.tar
step docker run --rm busybox sh -c 'echo "hello from a wharf container: pid $$, host $(hostname)"'
step ./dist/wharf run --rm busybox uname -a
step docker run --rm busybox sh -c 'echo "its address on the default bridge: $(ip -4 -o addr show eth0 | awk "{print \$4}")"'
