"""Small helpers the test modules share."""

import time


def wait_until(condition, timeout: float = 30.0, what: str = "condition") -> None:
    """Poll `condition()` until it is true: the real worker delivers in its own time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} not met in {timeout} s")
