# Sluice: every target's logic lives in scripts/; this file only names them.
.DEFAULT_GOAL := help
.PHONY: help deps build release test unit integration run fuzz lint bench golden image manifests

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

deps: ## Install what is missing: apt packages (as root) and the test virtualenv
	@scripts/deps.sh

build: deps ## Debug build of every target
	@scripts/build.sh debug

release: deps ## Release build (static Swift stdlib) of the executables
	@scripts/build.sh release

test: deps ## Build and run every test: lint, unit, integration, a short fuzz run
	@scripts/test.sh

unit: ## Only the Swift unit tests (no dependency check)
	@scripts/test.sh unit

integration: ## Only the integration tests against the real binaries
	@scripts/test.sh integration

run: deps ## Build release and start the sidecar on examples/default (mock providers unless real keys are set)
	@scripts/run.sh

fuzz: ## Run every fuzz target (FUZZ_SECONDS each, default 60)
	@scripts/fuzz.sh

lint: ## Grep-lint the tree for what must not appear
	@scripts/lint.sh

bench: deps ## Measure against nginx and a direct call (see docs/performance.md)
	@bench/run.sh

golden: ## Regenerate the golden files (translator, injector) after an intended change
	@scripts/golden.sh

image: ## Build the container images (needs Docker or Podman; see docs/install.md)
	@deploy/scripts/build-images.sh

manifests: ## Copy the CRDs and the dashboard from deploy/ into the Helm chart
	@deploy/scripts/sync-chart.sh
