# 劳模工匠数字档案馆 — `make run` serves the demo archive, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := chromium poppler-utils wrk fonts-noto-cjk ffmpeg espeak-ng nginx openssl
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run test test-fast system-deps lint bench clean lock messages

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# The versions the tests passed with: requirements.lock, written by `make lock`.
$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml requirements.lock
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Re-resolve every dependency (setup.cfg, with the test extra) in a throwaway
# virtualenv and pin what it got. Run after changing setup.cfg; commit the result.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet '.[test]' 2>/dev/null
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^laomo-archive' > requirements.lock
	rm -rf .lock-venv build *.egg-info

# Debian packages the tests and benchmarks use (Chromium, poppler, wrk, a CJK font,
# ffmpeg: ffprobe checks uploaded videos, ffmpeg takes their poster frames;
# espeak-ng: the default offline voice for synthesised narration; nginx and
# openssl: tests/test_nginx.py runs deploy/nginx.conf for real, with HTTPS).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing="$$missing fonts-noto-cjk"; \
	command -v ffprobe >/dev/null || missing="$$missing ffmpeg"; \
	command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# The English interface: the catalogue (archive/translations/en/…/messages.po, edited
# by hand) is compiled for the app to read; `make messages` extracts new strings from
# the code and templates (babel.cfg) into it, untranslated until someone writes them.
CATALOGUE := archive/translations/en/LC_MESSAGES/messages
$(CATALOGUE).mo: $(CATALOGUE).po $(VENV)/.installed
	$(BIN)/pybabel -q compile -d archive/translations

messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k N_ --no-location --sort-output \
		--project=laomo-archive -o archive/translations/messages.pot .
	$(BIN)/pybabel -q update -i archive/translations/messages.pot -d archive/translations \
		--no-fuzzy-matching --ignore-obsolete

run: $(VENV)/.installed $(CATALOGUE).mo
	$(BIN)/flask --app archive init
	$(BIN)/flask --app archive serve

test: $(VENV)/.installed $(CATALOGUE).mo system-deps lint
	$(BIN)/python -m pytest

# The in-process tests only, on two processes: no browser, no real server or worker
# process, no hall drawing, no property or volume test (those are marked slow, by
# tests/conftest.py or by the test). For the edit-test loop; CI runs `make test`.
test-fast: $(VENV)/.installed $(CATALOGUE).mo
	$(BIN)/python -m pytest -q -n 2 -m "not slow and not browser"

# ruff (checks and formatting), the architecture's contracts (setup.cfg
# [importlinter]: each search engine's library stays in its engine, and only
# archive.search reaches an engine), and no function above radon's grade C
lint: $(VENV)/.installed
	$(BIN)/ruff check archive tests bench
	$(BIN)/ruff format --check archive tests bench
	$(BIN)/lint-imports
	@test -z "$$($(BIN)/radon cc -n D archive)" || { $(BIN)/radon cc -n D -s archive; \
		echo "functions above radon's grade C: split them"; exit 1; }

bench: $(VENV)/.installed system-deps
	$(BIN)/python -m bench.serving

clean:
	rm -rf $(VENV) build *.egg-info
