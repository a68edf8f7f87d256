#!/usr/bin/env bash
# Regenerates every golden file (`Tests/**/testdata/**.out.*`) from the current code.
# Run only after an intended change, then review the diff: the goldens are the spec.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
swift build --build-tests
SLUICE_REGENERATE_GOLDEN=1 swift test --skip-build --filter Golden
# A second run compares instead of writing: it fails if a golden test is not deterministic.
swift test --skip-build --filter Golden
git --no-pager diff --stat -- 'Tests/**/testdata/**'
