#!/usr/bin/env bash
# Builds debug (every target, tests included) or release (executables, static stdlib).
source "$(dirname "$0")/common.sh"
cd "$ROOT"
case "${1:-debug}" in
  debug) swift build --build-tests ;;
  release) swift build -c release --static-swift-stdlib ;;
  *) echo "usage: build.sh debug|release" >&2; exit 2 ;;
esac
