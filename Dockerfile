# syntax=docker/dockerfile:1
# Sluice's two images, from one build (docs/install.md, "Images"):
#
#   docker build --target sidecar    -t ghcr.io/sluice-dev/sluice:0.1.0 .             # sluice + sluice-mock
#   docker build --target controller -t ghcr.io/sluice-dev/sluice-controller:0.1.0 .
#
# or `make image` (deploy/scripts/build-images.sh). The executables are built with the Swift
# toolchain image and --static-swift-stdlib, so the run images need only glibc, libcurl and
# OpenSSL from Debian: no Swift runtime, no compiler, no shell tools beyond Debian's base.
# Both run as the non-root user 65532 and work with a read-only root filesystem (they write
# nothing outside their mounted volumes).

# Match the toolchain the project is tested with (`swift --version`); build-images.sh passes it.
ARG SWIFT_VERSION=6.3
ARG DEBIAN_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM swift:${SWIFT_VERSION}-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4-openssl-dev libssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifest first, then the sources: SwiftPM checks every declared target's directory, test
# targets included, so Tests/ comes along (it is small; .dockerignore keeps the rest out).
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product sluice \
 && swift build -c release --static-swift-stdlib --product sluice-mock \
 && swift build -c release --static-swift-stdlib --product sluice-controller \
 && mkdir -p /out \
 && cp "$(swift build -c release --show-bin-path)/sluice" \
       "$(swift build -c release --show-bin-path)/sluice-mock" \
       "$(swift build -c release --show-bin-path)/sluice-controller" /out/ \
 && strip /out/*

# ---------------------------------------------------------------------------------------------
# What both run images share: the runtime libraries and the non-root user.
FROM ${DEBIAN_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4 libssl3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 sluice \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin sluice
LABEL org.opencontainers.image.source="https://github.com/sluice-dev/sluice" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="0.1.0"
USER 65532:65532

# ---------------------------------------------------------------------------------------------
FROM runtime AS controller
LABEL org.opencontainers.image.title="sluice-controller" \
      org.opencontainers.image.description="Sluice controller: CRDs to sidecar ConfigMaps, and the sidecar-injector webhook"
COPY --from=build --chown=0:0 --chmod=0755 /out/sluice-controller /usr/local/bin/sluice-controller
EXPOSE 8080 8443
ENTRYPOINT ["/usr/local/bin/sluice-controller"]
CMD ["run"]

# ---------------------------------------------------------------------------------------------
# Last, so a plain `docker build .` gives the sidecar.
FROM runtime AS sidecar
LABEL org.opencontainers.image.title="sluice" \
      org.opencontainers.image.description="Sluice: an AI traffic sidecar (also contains sluice-mock)"
COPY --from=build --chown=0:0 --chmod=0755 /out/sluice /out/sluice-mock /usr/local/bin/
EXPOSE 4000 4001 4090
ENTRYPOINT ["/usr/local/bin/sluice"]
CMD ["--config-dir", "/etc/sluice/config", "--secrets-dir", "/etc/sluice/secrets"]
