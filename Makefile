# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint messages bench clean

# Development settings for this checkout, so that `.venv/bin/python manage.py ...` works too. Production
# sets DEBUG=false, SECRET_KEY and ALLOWED_HOSTS in its environment instead (see the README).
.env:
	printf '# Development settings of this checkout (ignored by git). See the README for every variable.\nDEBUG=true\n' > $@

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

run: $(VENV)/.installed .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed_figures --illustrative-history --only-if-empty
	$(PY) manage.py ensure_admin
	@echo "Outreach is at http://127.0.0.1:$(PORT)/ (the admin at http://127.0.0.1:$(PORT)/admin/)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed-dev .env
	$(PY) -m pytest

lint: $(VENV)/.installed-dev .env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The national-scale benchmark against the local PostgreSQL (BENCH_ARGS="--rows 360000" for a smaller run).
bench: $(VENV)/.installed-dev .env
	$(PY) -m bench.run $(BENCH_ARGS)

# Update the catalogs from the code (needs GNU gettext, for developers only), then compile them.
messages: $(VENV)/.installed-dev .env
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --add-location=file
	$(PY) bin/compile-messages

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
