#!/usr/bin/env bash
# The main job on a fresh machine: start a wharf daemon on a temporary socket and data
# root, talk to it with wharf and the real docker CLI, then stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x dist/wharf ] || npm run build
dir=$(mktemp -d /tmp/wharf-demo.XXXXXX)
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
./dist/wharf -d -H "unix://$dir/wharf.sock" --data-root "$dir/data" --exec-root "$dir/exec" >"$dir/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "$dir/wharf.sock" ] && break; sleep 0.05; done
export DOCKER_HOST="unix://$dir/wharf.sock"
./dist/wharf version
echo
docker version
