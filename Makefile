# GNU make. `make` builds, `make test` sets up and runs the tests, `make run` sets up and runs the
# example configuration in a new PID namespace, `make install` copies a self-contained bundle,
# `make bench` compares wingmate with other inits (BENCH_ARGS passes options, e.g. --quick).

PREFIX ?= /usr/local
DESTDIR ?=
NODE ?= node
NPM ?= npm

BINDIR = $(DESTDIR)$(PREFIX)/bin
BUNDLEDIR = $(DESTDIR)$(PREFIX)/lib/wingmate
COMMANDS = wingmate wmpidproxy wmexec
SOURCES = $(wildcard *.ts lib/*.ts lib/*/*.ts) tsconfig.json

.PHONY: all build test run bench install uninstall clean

all: build

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

dist/wingmate.js: node_modules/.package-lock.json $(SOURCES)
	$(NPM) run build
	@touch $@

build: dist/wingmate.js

test: node_modules/.package-lock.json
	$(NPM) test

# The example runs as PID 1 of a new PID namespace, so its shutdown can never reach the host's
# processes. Without root a user namespace makes that possible.
run: build
	sh scripts/run-example.sh $(NODE) examples/basic

# Every init under test runs as PID 1 of a new PID namespace; the harness installs nothing and
# names the missing anchors with the apt command that brings them.
bench: build
	$(NPM) run bench -- $(BENCH_ARGS)

install: build
	mkdir -p $(BINDIR) $(BUNDLEDIR)
	rm -rf $(BUNDLEDIR)/dist $(BUNDLEDIR)/node_modules
	cp -R dist package.json $(BUNDLEDIR)/
	sh scripts/copy-runtime-modules.sh $(BUNDLEDIR)
	for command in $(COMMANDS); do \
		sed "s/@COMMAND@/$$command/" scripts/launcher.sh > $(BINDIR)/$$command && chmod 755 $(BINDIR)/$$command; \
	done

uninstall:
	for command in $(COMMANDS); do rm -f $(BINDIR)/$$command; done
	rm -rf $(BUNDLEDIR)

clean:
	rm -rf dist coverage
