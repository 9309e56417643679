# Outreach web image: gunicorn on port 8000 (behind docker-compose.yml's proxy), static files served by
# whitenoise. Every Python package in it is pinned, with hashes, in requirements/runtime.txt.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# psycopg loads the system's PostgreSQL client library: Debian's libpq5, which gets Debian's security
# updates with the image's next build (psycopg2-binary carried a copy of its own).
RUN apt-get update \
 && apt-get install --yes --no-install-recommends libpq5 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The dependencies alone first, so that this layer is rebuilt only when the lock changes. pip refuses any
# package, or any file of one, that the lock does not pin with its hash.
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --require-hashes -r requirements/runtime.txt

# Then the whole project (less .dockerignore), without dependencies: all of them came from the lock.
# manage.py, bin/start-web and deploy/ (gunicorn's settings) run from this copy.
COPY . .
RUN pip install --no-deps .

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
