# Sourced by scripts/start.sh, scripts/test.sh and .ci/run: installs the pnpm that
# package.json pins when it is missing or another version (pnpm refuses to switch
# versions against this registry, so the pin and the installed pnpm must be equal).
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "installing pnpm@$PNPM_VERSION" >&2
  npm i -g -E --allow-scripts=pnpm "pnpm@$PNPM_VERSION" >&2
fi
# better-sqlite3 compiles from source here and pnpm's node-gyp ignores ~/.npmrc nodedir.
export npm_config_nodedir=${npm_config_nodedir:-/usr}
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
