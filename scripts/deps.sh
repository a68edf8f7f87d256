#!/usr/bin/env bash
# Installs what building and testing need, only when missing: Debian packages
# (libcurl, OpenSSL, and the real servers the tests run against) and the
# Python virtualenv with the pinned test tools.
source "$(dirname "$0")/common.sh"

# Extra packages a caller needs beyond these come as arguments (bench/instructions.sh: valgrind).
packages=(libcurl4-openssl-dev libssl-dev pkg-config redis-server nginx wrk prometheus haproxy openssl curl python3-yaml "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing packages: ${missing[*]} (run 'make deps' as root)" >&2
    exit 1
  fi
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packaged services must not run in the background: tests start their own on free ports.
  for s in redis-server nginx prometheus haproxy; do
    systemctl disable --now "$s" >/dev/null 2>&1 || service "$s" stop >/dev/null 2>&1 || true
  done
fi

command -v swift >/dev/null || { echo "swift not found (expected at /opt/swift/usr/bin)" >&2; exit 1; }

if [ ! -x "$VENV/bin/pytest" ]; then
  log "creating test virtualenv $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS"
fi

if [ ! -x "$VENV312/bin/python" ]; then
  # A name on PATH is not enough: pyenv's `python3.12` shim exists but fails unless 3.12 is
  # the selected version. Take the first candidate that actually runs and is >= 3.12.
  py312=""
  for candidate in python3.12 python3.13 python3 "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3; do
    if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
      py312="$candidate"; break
    fi
  done
  [ -n "$py312" ] || { echo "no runnable Python >= 3.12 found (tried python3.12, python3.13, python3, ~/.pyenv/versions/3.1x)" >&2; exit 1; }
  log "creating deploy-test virtualenv $VENV312"
  rm -rf "$VENV312" "$VENV312.tmp"
  "$py312" -m venv "$VENV312.tmp"
  "$VENV312.tmp/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS_DEPLOY"
  mv "$VENV312.tmp" "$VENV312"
fi
