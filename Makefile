# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint lock messages bench clean

# Development settings for this checkout, so that `.venv/bin/python manage.py ...` works too. Production
# sets DEBUG=false, SECRET_KEY and ALLOWED_HOSTS in its environment instead (see the README).
.env:
	printf '# Development settings of this checkout (ignored by git). See the README for every variable.\nDEBUG=true\n' > $@

# Every package comes from a lock, pinned with its hashes: pip refuses anything else, and a changed lock
# reinstalls. The project itself goes in last with --no-deps, so nothing outside the locks comes with it.
RUNTIME_LOCK := requirements/runtime.txt
DEV_LOCK := requirements/dev.txt

$(VENV)/.installed: $(RUNTIME_LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(RUNTIME_LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(DEV_LOCK) $(VENV)/.installed
	$(PY) -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	touch $@

# Resolve both locks again from pyproject.toml's ranges, keeping each pin that still fits them; the dev lock
# holds the runtime lock's pins. LOCK_ARGS=--upgrade takes every newest allowed release,
# LOCK_ARGS="--upgrade-package django" one package's. One lock serves every platform and Python >= 3.11.
# Then the image's locks (bin/lock-image): psycopg-c at the runtime lock's psycopg version, and its build tools.
LOCK := $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" --quiet $(LOCK_ARGS)
lock: $(VENV)/.installed-dev
	$(LOCK) --output-file $(RUNTIME_LOCK)
	$(LOCK) --extra dev --constraint $(RUNTIME_LOCK) --output-file $(DEV_LOCK)
	$(PY) bin/lock-image $(LOCK_ARGS)

run: $(VENV)/.installed .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed_figures --illustrative-history --only-if-empty
	$(PY) manage.py ensure_admin
	@echo "Outreach is at http://127.0.0.1:$(PORT)/ (the admin at http://127.0.0.1:$(PORT)/admin/)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The suite on every core (pytest-xdist): tests that share a module's server or a parsed catalog run on one
# worker (tests/conftest.py groups them). TEST_WORKERS=0 runs it in this one process; TEST_ARGS adds options.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-dev .env
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(TEST_ARGS)

lint: $(VENV)/.installed-dev .env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The national-scale benchmark against the local PostgreSQL (BENCH_ARGS="--rows 360000" for a smaller run).
bench: $(VENV)/.installed-dev .env bench/node_modules/.installed
	$(PY) -m bench.run $(BENCH_ARGS)
	$(PY) -m bench.backtest
	$(PY) -m bench.lighthouse

# Lighthouse (npm, pinned in bench/package-lock.json), which bench/lighthouse.py drives against Debian's Chromium.
bench/node_modules/.installed: bench/package-lock.json
	cd bench && npm ci --no-audit --no-fund
	touch $@

# The dashboard's plotly.js (static/vendor/plotly/, committed), built from plotly.js's own modules with only the
# traces the charts use (frontend/build.mjs). Only for upgrading it: neither `make run` nor the image needs node.
.PHONY: plotly
plotly:
	cd frontend && npm ci --no-audit --no-fund && npm run build
	$(PY) bin/plotly-css

# Update the catalogs from the code (needs GNU gettext, for developers only), then compile them.
messages: $(VENV)/.installed-dev .env
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --add-location=file
	$(PY) bin/compile-messages

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
