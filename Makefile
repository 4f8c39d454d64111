# sluice developer targets. Integration tests need Java 17+, Maven, Python 3 and curl besides Go
# (for the Kafka broker, Apicurio Registry and the Python interop venv, see scripts/services-up.sh);
# without them tests fall back to in-process fakes or are skipped.
SHELL := /bin/bash
GO ?= go

.PHONY: build vet docs proto test examples-test test-soak bench services-up services-down

build:
	$(GO) build ./...

# make vet: gofmt, go vet and staticcheck (its exceptions, and why, in staticcheck.conf), over
# sluice and the example modules. staticcheck is pinned here and run through the Go toolchain
# (go run downloads it on first use, into the module cache; no install step).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
vet:
	@out="$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go'))"; \
	if [[ -n "$$out" ]]; then echo "gofmt -l reports unformatted files:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@for d in examples/*/; do echo "staticcheck $$d"; (cd "$$d" && $(GO) run $(STATICCHECK) ./...) || exit 1; done

# The plugin reference under docs/plugins, generated from the plugins' configuration definitions
# (a test in sluicecmd fails when it drifts).
docs:
	$(GO) run ./cmd/sluice plugins docs -out docs/plugins

# Regenerate plugins/external's gRPC code (needs protoc; the generated code is committed).
proto:
	@GO=$(GO) bash scripts/proto.sh

# Start/stop the real services (Kafka, Apicurio Registry) in the background; addresses go to
# .services.env.
services-up:
	@bash scripts/services-up.sh

services-down:
	@bash scripts/services-down.sh

# services-up, the whole suite against real services, then the example modules under
# examples/ (modules of their own, which ./... skips), services-down even if tests fail. What
# tests keep (t.ArtifactDir: the web console's screenshot console.png) lands under
# .cache/test-artifacts/_artifacts/, emptied at each run.
ARTIFACTS := $(CURDIR)/.cache/test-artifacts
test:
	@rm -rf "$(ARTIFACTS)" && mkdir -p "$(ARTIFACTS)"
	@bash scripts/test.sh --examples $(GO) test -race -count=1 -timeout 20m -artifacts -outputdir "$(ARTIFACTS)" ./...

# Vet and test the example connector modules under examples/ (no services started).
examples-test:
	@bash scripts/examples-test.sh $(GO)

# Distributed mode under repeated kill -9 and restarts (3 workers, 10 connectors; not part of
# make test). SOAK sets how long the kills go on.
SOAK ?= 3m
test-soak:
	@SLUICE_SOAK=$(SOAK) bash scripts/test.sh $(GO) test -race -count=1 -timeout 30m -run '^TestSoak$$' -v ./internal/e2e/

bench:
	@bash scripts/test.sh $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./bench/...
