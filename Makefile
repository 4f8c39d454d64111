# sluice developer targets. Integration tests need Java 17+, Maven, Python 3 and curl besides Go
# (for the Kafka broker, Apicurio Registry and the Python interop venv, see scripts/services-up.sh);
# without them tests fall back to in-process fakes or are skipped.
SHELL := /bin/bash
GO ?= go

.PHONY: build vet test test-soak bench services-up services-down proto

build:
	$(GO) build ./...

vet:
	@out="$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go'))"; \
	if [[ -n "$$out" ]]; then echo "gofmt -l reports unformatted files:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Regenerate plugins/external's gRPC code (needs protoc; the generated code is committed).
proto:
	@GO=$(GO) bash scripts/proto.sh

# Start/stop the real services (Kafka, Apicurio Registry) in the background; addresses go to
# .services.env.
services-up:
	@bash scripts/services-up.sh

services-down:
	@bash scripts/services-down.sh

# services-up, the whole suite against real services, services-down even if tests fail.
test:
	@bash scripts/test.sh $(GO) test -race -count=1 -timeout 20m ./...

# Distributed mode under repeated kill -9 and restarts (3 workers, 10 connectors; not part of
# make test). SOAK sets how long the kills go on.
SOAK ?= 3m
test-soak:
	@SLUICE_SOAK=$(SOAK) bash scripts/test.sh $(GO) test -race -count=1 -timeout 30m -run '^TestSoak$$' -v ./internal/e2e/

bench:
	@bash scripts/test.sh $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./bench/...
