# Shared by the scripts: paths, the toolchain, the test virtualenv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="/opt/swift/usr/bin:$PATH"
REQUIREMENTS="$ROOT/Tests/integration/requirements.txt"
VENV="${SLUICE_VENV:-$HOME/.cache/sluice/venv-$(sha256sum "$REQUIREMENTS" | cut -c1-12)}"
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
