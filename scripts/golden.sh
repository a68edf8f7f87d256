#!/usr/bin/env bash
# Regenerates the translator's golden files (Tests/GatewayControllerTests/testdata/*.out.json)
# from their *.in.yaml inputs, checks them, then shows what changed. Run it only when a change
# of the controller's output is intended, and review the diff before committing.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
log "regenerating golden files"
SLUICE_UPDATE_GOLDEN=1 swift test --filter GoldenTranslatorTests
log "checking them"
swift test --filter GoldenTranslatorTests
git --no-pager diff --stat -- Tests/GatewayControllerTests/testdata || true
