# Outreach web image: gunicorn on port 8000 (behind docker-compose.yml's proxy), static files served by
# whitenoise. Every Python package in it, and every one its build runs, is pinned with its hashes in
# requirements/ (README, "Dependencies").
#
# Both stages start from the same image, so that psycopg's C extension is compiled against the very libpq
# (Debian's) that the final stage loads.
ARG PYTHON_IMAGE=python:3.11-slim

# Build stage: psycopg's C extension (psycopg-c, published as source only) and the project, as wheels. The
# compiler and the headers stay here; the final image has neither.
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# libpq-dev brings libpq's headers and pg_config, which psycopg-c's build asks where they are.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends gcc libc6-dev libpq-dev \
 && rm -rf /var/lib/apt/lists/*

# The build tools first, from their lock; then psycopg-c from the hash of its source, built with those tools
# and no others (pip's build isolation would fetch the newest setuptools, unpinned). --check-build-dependencies
# stops the build when the tools lock no longer fits what psycopg-c asks for: run `make lock`.
COPY requirements/image.txt requirements/image-tools.txt /build/requirements/
RUN pip install --require-hashes -r /build/requirements/image-tools.txt \
 && pip wheel --require-hashes --no-deps --no-build-isolation --check-build-dependencies \
        -r /build/requirements/image.txt --wheel-dir /wheels

# The project, with the same tools, after psycopg-c so that a change to the code does not compile it again.
COPY . /build/outreach
RUN pip wheel --no-deps --no-build-isolation --check-build-dependencies /build/outreach --wheel-dir /wheels


FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The PostgreSQL client library psycopg-c was compiled against: Debian's libpq5, which gets Debian's security
# updates with the image's next build (psycopg2-binary, and psycopg-binary, carry a copy of their own).
# Chromium and a CJK font print the reports as PDF (outreach/printing.py, CHROMIUM_PATH), offline: Debian's,
# driven by Playwright's Python package (whose own browser download is never used).
RUN apt-get update \
 && apt-get install --yes --no-install-recommends libpq5 chromium fonts-noto-cjk fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*
ENV CHROMIUM_PATH=/usr/bin/chromium

WORKDIR /app

# The dependencies alone first, so that this layer is rebuilt only when the lock changes. pip refuses any
# package, or any file of one, that the lock does not pin with its hash.
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --require-hashes -r requirements/runtime.txt

# psycopg-c and the project as the build stage made them, without dependencies: all of them came from the lock.
# (Mounted rather than copied, so that the wheels do not stay in a layer of the image.) Without a C extension
# that loads, psycopg would quietly fall back to its pure-Python code, several times slower; so the build
# stops unless it loads, at psycopg's own version (psycopg does not compare the two).
RUN --mount=type=bind,from=build,source=/wheels,target=/tmp/wheels \
    pip install --no-deps /tmp/wheels/*.whl \
 && python -c "import psycopg, psycopg_c; \
assert psycopg.pq.__impl__ == 'c', psycopg.pq.__impl__; \
assert psycopg_c.__version__ == psycopg.__version__, (psycopg_c.__version__, psycopg.__version__)"

# Then the whole project (less .dockerignore): manage.py, bin/start-web and deploy/ (gunicorn's settings) run
# from this copy.
COPY . .

# Hashed, compressed assets for CompressedManifestStaticFilesStorage. With DEBUG off the settings
# refuse to load without a key and hosts; these throwaway values exist only for this build step.
RUN DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

# The server needs no write access to the code or the collected assets.
RUN useradd --system --no-create-home --uid 10001 outreach
USER outreach

EXPOSE 8000

# /healthz is exempt from the HTTPS redirect, so this plain-HTTP probe sees 200 or, when the
# database does not answer, 503 (urlopen raises, the check fails). ALLOWED_HOSTS must include 127.0.0.1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["bin/start-web"]
