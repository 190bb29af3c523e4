#!/usr/bin/env bash
# Installs the runtime-portability lane (idempotent; quick when already installed):
#   1. Bun, Deno and Miniflare (+ workerd) from the npm registry, pinned by engines/package-lock.json
#      (npm ci; their postinstall scripts only link the binary that came in a registry package);
#   2. Debian's Chromium for the browser test, if missing (never a downloaded browser build).
# Prints what it did and how long it took. Env: RUNTIMES_SKIP_CHROMIUM=1 skips step 2.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
engines="$here/engines"
start=$SECONDS

installed() {
  [ -x "$engines/node_modules/bun/bin/bun.exe" ] &&
    [ -x "$engines/node_modules/@deno/linux-x64-glibc/deno" ] &&
    [ -x "$engines/node_modules/@cloudflare/workerd-linux-64/bin/workerd" ] &&
    [ -f "$engines/node_modules/.package-lock.json" ] &&
    [ ! "$engines/package-lock.json" -nt "$engines/node_modules/.package-lock.json" ]
}

if installed; then
  echo "runtimes: engines already installed"
else
  t=$SECONDS
  (cd "$engines" && npm ci --no-audit --no-fund --loglevel=error)
  echo "runtimes: engines installed in $((SECONDS - t)) s ($(du -sh "$engines/node_modules" | cut -f1))"
fi
echo "runtimes: bun $("$engines/node_modules/bun/bin/bun.exe" --version)," \
  "$("$engines/node_modules/@deno/linux-x64-glibc/deno" --version | head -1)," \
  "workerd $("$engines/node_modules/@cloudflare/workerd-linux-64/bin/workerd" --version | cut -d' ' -f2)"

if [ "${RUNTIMES_SKIP_CHROMIUM:-}" != "1" ] && [ ! -x /usr/bin/chromium ]; then
  t=$SECONDS
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  echo "runtimes: chromium installed in $((SECONDS - t)) s"
fi
echo "runtimes: setup done in $((SECONDS - start)) s"
