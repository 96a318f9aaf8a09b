# Lantern: Django + Celery application image.
#
# Build stage compiles the Python dependencies (psycopg2 needs gcc and the
# libpq headers); the runtime stage only carries the virtualenv and libpq5.

ARG PYTHON_IMAGE=python:3.12-slim-bookworm

# ---------------------------------------------------------------- build stage
FROM ${PYTHON_IMAGE} AS builder

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Debian package versions are left unpinned so security updates are picked up.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:${PATH}"

COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt

# -------------------------------------------------------------- runtime stage
FROM ${PYTHON_IMAGE} AS runtime

# No secrets here: PRIVATE_MEDIA_ROOT is just a directory path.
# hadolint ignore=DL3064
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/venv/bin:${PATH}" \
    DJANGO_SETTINGS_MODULE=config.settings \
    STATIC_ROOT=/app/staticfiles \
    STATIC_MANIFEST=1 \
    LANTERN_VAR_DIR=/var/lib/lantern \
    PRIVATE_MEDIA_ROOT=/var/lib/lantern/private

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user the services run as.
RUN groupadd --system --gid 10001 lantern \
    && useradd --system --uid 10001 --gid lantern \
        --home-dir /var/lib/lantern --no-create-home \
        --shell /usr/sbin/nologin lantern

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app

# Application code stays owned by root, so the app user cannot modify it.
COPY . /app

# Collect static files into STATIC_ROOT. The values below exist only for this
# build step so that settings import; none of them end up in the image.
RUN SECRET_KEY=build-only \
    FIELD_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    FIELD_HASH_KEY=build-only \
    DATABASE_URL=postgres://build:build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    CELERY_BROKER_URL=redis://localhost:6379/1 \
    python manage.py collectstatic --noinput

# The Spanish catalogues (*.po in git) compiled to the *.mo files Django reads; GNU gettext is needed
# for this step only.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && DEBUG=1 python manage.py compilemessages --ignore=var -v 0 \
    && apt-get purge -y gettext && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

# Writable state lives under /var/lib/lantern (mounted as named volumes in
# compose). Creating the directories here gives fresh volumes the right owner.
# private/ holds PHI uploads (insurance card images): owner-only access.
RUN install -d -o lantern -g lantern -m 0755 /var/lib/lantern /var/lib/lantern/beat /var/lib/lantern/media \
    && install -d -o lantern -g lantern -m 0700 /var/lib/lantern/private \
    && install -m 0755 /app/docker/entrypoint.sh /usr/local/bin/docker-entrypoint

# Numeric ids (= lantern:lantern) so runtimes can verify the user is non-root.
USER 10001:10001

EXPOSE 8000

ENTRYPOINT ["docker-entrypoint"]
CMD ["web"]
