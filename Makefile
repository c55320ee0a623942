# dailypapers: the two commands a newcomer needs are `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT   ?= 8000
# Debian packages for the tests: only what they need (no recommended extras), waiting up to five
# minutes for the package lock a freshly booted machine's unattended upgrades may hold.
APT         := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -qq
APT_INSTALL := $(APT) update && $(APT) install -y --no-install-recommends

.PHONY: serve test install install-test install-browser install-java install-faketime build check lint clean

serve: install          ## install, build the sample site and serve it at http://127.0.0.1:8000/
	$(BIN)/dailypapers serve --port $(PORT)

test: install-test install-browser install-java install-faketime   ## install everything, then run every test
	$(BIN)/ruff check generator tests
	$(BIN)/python -m pytest

build: install          ## build the site into output/
	$(BIN)/dailypapers build

check: install          ## check every record without building
	$(BIN)/dailypapers check

install: $(VENV)/.installed node_modules/.installed

install-test: $(VENV)/.installed-test node_modules/.installed

# lunr.js comes from the npm registry, pinned in package.json and package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Browser tests drive Debian's Chromium through Playwright; Playwright never downloads a browser.
install-browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  $(APT_INSTALL) chromium fonts-dejavu-core >/dev/null; }
	@chromium --version

# The Nu Html Checker (vnu-jar, from npm) runs on Java.
install-java:
	@command -v java >/dev/null 2>&1 || { \
	  $(APT_INSTALL) default-jre-headless >/dev/null; }
	@java -version 2>&1 | head -n 1

# libfaketime moves the clock for the test that builds the site a year later, byte for byte the same.
install-faketime:
	@command -v faketime >/dev/null 2>&1 || { \
	  $(APT_INSTALL) faketime >/dev/null; }

lint: install-test
	$(BIN)/ruff check generator tests

clean:
	rm -rf output $(VENV) .pytest_cache .ruff_cache
