#!/bin/sh
# Container entrypoint for the Lantern image.
#
#   web     apply database migrations, then run gunicorn
#   worker  run the Celery worker
#   beat    run the Celery beat scheduler
#   *       run the given command as-is (e.g. "python manage.py shell")
#
# Extra arguments after web/worker/beat are passed on to gunicorn/celery.
set -eu

role="${1:-web}"
if [ "$#" -gt 0 ]; then shift; fi

case "$role" in
    web)
        python manage.py migrate --noinput
        exec gunicorn config.wsgi:application \
            --bind 0.0.0.0:8000 \
            --workers "${GUNICORN_WORKERS:-3}" \
            --access-logfile - \
            "$@"
        ;;
    worker)
        exec celery -A config worker -l info "$@"
        ;;
    beat)
        exec celery -A config beat -l info \
            --schedule "${CELERY_BEAT_SCHEDULE:-/var/lib/lantern/beat/celerybeat-schedule}" \
            "$@"
        ;;
    *)
        exec "$role" "$@"
        ;;
esac
