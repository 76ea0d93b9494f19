# Switchboard — `make demo` and `make test` work on a fresh Debian 12 machine:
# they install what is missing (apt), build, then run.

SWIFT ?= swift
APT_PACKAGES = sqlite3 libsqlite3-dev libcurl4-openssl-dev curl python3 dovecot-imapd isync openssl chromium postgresql
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test build deps bench clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6 is required (https://swift.org/install); put swift on PATH"; exit 1; }

build: deps
	$(SWIFT) build

demo: build
	$(SWIFT) run --skip-build switchboard demo --config config/demo.yaml

# The PostgreSQL tests run against a throwaway cluster on 127.0.0.1:55433 (scripts/start-postgres),
# removed afterwards whatever the outcome; a cluster that does not start fails the target.
PG_TEST_PORT ?= 55433
test: deps
	$(SWIFT) build --build-tests
	@url=$$(scripts/start-postgres $(PG_TEST_PORT)) || exit 1; \
		trap 'scripts/stop-postgres $(PG_TEST_PORT)' EXIT; trap 'exit 130' INT TERM; \
		echo "PostgreSQL for tests: $$url"; \
		SWITCHBOARD_TEST_PG_URL="$$url" SWIFT=$(SWIFT) scripts/run-tests --no-parallel

bench: deps
	$(SWIFT) build -c release
	bench/run-store

clean:
	rm -rf .build
