"""Unexpected exceptions, told to the log without what they were reading."""

import traceback
from pathlib import Path


def crash_report(exc: BaseException) -> str:
    """An unexpected exception for the log: its type and where it was raised (file, line and
    function of the innermost frames), never its message or a traceback's locals. A message
    from a parser, a driver or a library can quote what it was reading: a name, a member ID, a
    birth date, a row that broke a constraint."""
    kind = type(exc)
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    where = " < ".join(f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}" for frame in reversed(frames))
    return f"{kind.__module__}.{kind.__qualname__}" + (f" at {where}" if where else "")
