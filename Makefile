# Switchboard — `make demo` and `make test` work on a fresh Debian 12 machine:
# they install what is missing (apt), build, then run.

SWIFT ?= swift
# Building and running the demo needs only the two libraries the package links; the tests also start real
# Dovecot, PostgreSQL, headless Chromium and an SMTP server (python3-aiosmtpd) and drive them with curl, python3, openssl, sqlite3 and mbsync.
BUILD_PACKAGES = libsqlite3-dev libcurl4-openssl-dev
TEST_PACKAGES = $(BUILD_PACKAGES) sqlite3 curl python3 dovecot-imapd isync openssl chromium postgresql python3-aiosmtpd
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test build deps test-deps bench clean

# $(call install-missing,PACKAGES): apt-installs those of PACKAGES that are not installed, and only those.
define install-missing
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call install-missing,$(BUILD_PACKAGES))
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6 is required (https://swift.org/install); put swift on PATH"; exit 1; }

build: deps
	$(SWIFT) build

demo: build
	$(SWIFT) run --skip-build switchboard demo --config config/demo.yaml

test-deps: deps
	$(call install-missing,$(TEST_PACKAGES))

# The PostgreSQL tests run against a throwaway cluster on 127.0.0.1:55433 (scripts/start-postgres),
# removed afterwards whatever the outcome; a cluster that does not start fails the target.
PG_TEST_PORT ?= 55433
test: test-deps
	$(SWIFT) build --build-tests
	@url=$$(scripts/start-postgres $(PG_TEST_PORT)) || exit 1; \
		trap 'scripts/stop-postgres $(PG_TEST_PORT)' EXIT; trap 'exit 130' INT TERM; \
		echo "PostgreSQL for tests: $$url"; \
		SWITCHBOARD_TEST_PG_URL="$$url" SWIFT=$(SWIFT) scripts/run-tests --no-parallel

bench: test-deps
	$(SWIFT) build -c release
	bench/run-store

clean:
	rm -rf .build
