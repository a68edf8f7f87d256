#!/usr/bin/env bash
# `make image`: builds Sluice's two container images from the top-level Dockerfile.
#
#   deploy/scripts/build-images.sh [--push] [--platform LIST]
#
#   ghcr.io/sluice-dev/sluice:$VERSION             --target sidecar    (sluice, sluice-mock)
#   ghcr.io/sluice-dev/sluice-controller:$VERSION  --target controller
#
# Environment: REGISTRY (default ghcr.io/sluice-dev), VERSION (default: appVersion of
# charts/sluice/Chart.yaml), SWIFT_VERSION (default: the local toolchain's major.minor, else
# 6.3), DOCKER (default docker; podman and `docker buildx` work too). Needs a container engine:
# on a machine without one, it says so and exits 1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

push=false
platform=""
while [ $# -gt 0 ]; do
  case "$1" in
    --push) push=true ;;
    --platform) platform="${2:?--platform needs a value, e.g. linux/amd64,linux/arm64}"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "build-images.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

registry="${REGISTRY:-ghcr.io/sluice-dev}"
version="${VERSION:-$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' charts/sluice/Chart.yaml)}"
swift_version="${SWIFT_VERSION:-$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9]*\.[0-9]*\).*/\1/p' | head -1)}"
swift_version="${swift_version:-6.3}"
docker="${DOCKER:-docker}"

if ! $docker info >/dev/null 2>&1; then
  echo "build-images.sh: no container engine answers ('$docker info' failed)." >&2
  echo "Build on a machine with Docker or Podman; the commands would be:" >&2
  echo "  $docker build --build-arg SWIFT_VERSION=$swift_version --target sidecar -t $registry/sluice:$version ." >&2
  echo "  $docker build --build-arg SWIFT_VERSION=$swift_version --target controller -t $registry/sluice-controller:$version ." >&2
  exit 1
fi

build() {  # target, image
  local args=(build --build-arg "SWIFT_VERSION=$swift_version" --target "$1" -t "$2")
  if [ -n "$platform" ]; then
    args=(buildx "${args[@]}" --platform "$platform")
    $push && args+=(--push)
  fi
  echo "==> $docker ${args[*]} ." >&2
  $docker "${args[@]}" .
  if $push && [ -z "$platform" ]; then $docker push "$2"; fi
}
build sidecar "$registry/sluice:$version"
build controller "$registry/sluice-controller:$version"
