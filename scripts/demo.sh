#!/usr/bin/env bash
# The main job on a fresh machine: start a wharf daemon on a temporary socket and data
# root, load busybox (written by a real Docker), run a container with the real docker
# CLI and with wharf's own client, then stop the daemon.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x dist/wharf ] || npm run build
# The default bridge network needs iptables for NAT and published ports.
if ! command -v iptables >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables >/dev/null
fi
dir=$(mktemp -d /tmp/wharf-demo.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
./dist/wharf -d -H "unix://$dir/wharf.sock" --data-root "$dir/data" --exec-root "$dir/exec" >"$dir/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "$dir/wharf.sock" ] && break; sleep 0.05; done
export DOCKER_HOST="unix://$dir/wharf.sock"
docker version --format 'server: {{.Server.Platform.Name}} API {{.Server.APIVersion}}'
./dist/wharf load -i test/fixtures/busybox-docker-save.tar
docker run --rm busybox sh -c 'echo "hello from a wharf container: pid $$, host $(hostname)"'
./dist/wharf run --rm busybox uname -a
docker run --rm busybox sh -c 'echo "its address on the default bridge: $(ip -4 -o addr show eth0 | awk "{print \$4}")"'

