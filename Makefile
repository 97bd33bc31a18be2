# servicelab — every target installs what it needs first, so each works on a fresh machine.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha256sum | cut -c1-12)
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PKGS := chromium libpango-1.0-0 libpangoft2-1.0-0 poppler-utils fonts-dejavu-core wrk
HOST    ?= 127.0.0.1
PORT    ?= 8000

.PHONY: install system-deps js-deps test fuzz demo serve bench bench-themes messages clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

system-deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

js-deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: install system-deps js-deps
	$(BIN)/ruff check .
	$(BIN)/pytest

demo: install
	$(BIN)/lab demo --host $(HOST) --port $(PORT)
	$(BIN)/lab serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/lab serve --host $(HOST) --port $(PORT)

# Every operation of the OpenAPI schema, anonymous and signed in, thousands of cases each: no 5xx.
fuzz: install
	SERVICELAB_FUZZ_CASES=2000 $(BIN)/pytest -s tests/security/test_schema_fuzz.py tests/security/test_api_fuzz.py

bench: install system-deps
	$(BIN)/python -m benchmarks

bench-themes: install
	$(BIN)/python -m benchmarks.themes
	$(BIN)/python -m benchmarks.tracking
	$(BIN)/python -m benchmarks.themes_cli

# Extract the French msgids (templates, `_`, `gettext`, `ngettext` and the `N_` marker of domain modules)
# into a temporary template, then merge it into the English catalogue. Translate the new empty entries.
messages: install
	@pot=$$(mktemp --suffix=.pot) && trap 'rm -f "$$pot"' EXIT && \
	$(BIN)/pybabel -q extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_ -o "$$pot" lab prototypes feedback analysis && \
	$(BIN)/pybabel update -i "$$pot" -d lab/locale -l en --no-fuzzy-matching

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
