# Gongjue — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
export GOTOOLCHAIN := local

ADDR ?= :8080
PUBLIC_URL ?= http://localhost:8080

.PHONY: run reset-demo test bench build deps vet

build:
	go build -o bin/gongjue ./cmd/gongjue

deps:
	@scripts/deps.sh

## run: set up PostgreSQL, migrate, create the demo estate, serve on $(ADDR)
run: build
	@url=$$(scripts/db.sh gongjue) && \
	  DATABASE_URL=$$url PUBLIC_URL=$(PUBLIC_URL) bin/gongjue demo && \
	  echo && echo "serving on $(ADDR) — Ctrl-C stops" && \
	  DATABASE_URL=$$url PUBLIC_URL=$(PUBLIC_URL) exec bin/gongjue serve --addr $(ADDR)

## reset-demo: drop and recreate the demo database, then load the demo again (make run serves it)
reset-demo: build
	@url=$$(GONGJUE_RESET_DB=1 scripts/db.sh gongjue) && \
	  DATABASE_URL=$$url PUBLIC_URL=$(PUBLIC_URL) bin/gongjue demo

## test: set up PostgreSQL and the test tools, then run every test with -race
test: deps
	@url=$$(scripts/db.sh gongjue) && scripts/sweep.sh "$$url" && \
	  DATABASE_URL=$$url go test -race -timeout 12m ./...

## bench: measure casting, packets, tally and notices on a throwaway database
bench: deps build
	@url=$$(scripts/db.sh gongjue) && DATABASE_URL=$$url go run ./cmd/gongjue-bench

vet:
	gofmt -l . && go vet ./...
