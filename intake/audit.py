def redact(value: str) -> str:
    """Audit-log mask for PHI fields: the log says a field changed, never to or from what."""
    return "[redacted]"
