# Shared by the scripts: paths, the toolchain, the test virtualenv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="/opt/swift/usr/bin:$PATH"
REQUIREMENTS="$ROOT/Tests/integration/requirements.txt"
VENV="${SLUICE_VENV:-$HOME/.cache/sluice/venv-$(sha256sum "$REQUIREMENTS" | cut -c1-12)}"
# Helm's library (helm-sdkpy, for the chart tests) needs Python >= 3.12: a second virtualenv.
REQUIREMENTS_DEPLOY="$ROOT/Tests/integration/requirements-deploy.txt"
VENV312="${SLUICE_DEPLOY_VENV:-$HOME/.cache/sluice/venv312-$(sha256sum "$REQUIREMENTS_DEPLOY" | cut -c1-12)}"
export SLUICE_DEPLOY_VENV="$VENV312"
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
