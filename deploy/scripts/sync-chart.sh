#!/usr/bin/env bash
# `make manifests`: copies what the Helm chart shares with deploy/ into charts/sluice/, which
# Helm cannot read from outside the chart: the CRDs (deploy/crds/ → charts/sluice/crds/) and the
# Grafana dashboard (deploy/grafana/sluice-dashboard.json → charts/sluice/dashboards/).
# Tests/integration/test_deploy.py fails when the copies differ.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
rm -f charts/sluice/crds/*.yaml
cp deploy/crds/*.yaml charts/sluice/crds/
if [ -f deploy/grafana/sluice-dashboard.json ]; then
  mkdir -p charts/sluice/dashboards
  cp deploy/grafana/sluice-dashboard.json charts/sluice/dashboards/
fi
echo "charts/sluice: CRDs$([ -f deploy/grafana/sluice-dashboard.json ] && echo ' and dashboard') copied from deploy/" >&2
