"""Logging filters for LOGGING in config/settings.py."""

import logging


class OneLineClientErrors(logging.Filter):
    """Django logs a refused request (a PermissionDenied becoming a 403) with its traceback. A
    refusal is the system working, not a fault to debug: keep the line, drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info = record.exc_text = None
        return True


class NoBeatRunLines(logging.Filter):
    """Beat announces each periodic run it sends ("Scheduler: Sending due task ..."): with the
    outbox's safety net every few seconds, most of a quiet terminal. Its other lines stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Scheduler: Sending due task")
