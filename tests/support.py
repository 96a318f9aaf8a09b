"""Small helpers the test modules share."""

from bench import stack


def wait_until(condition, timeout: float = 30.0, what: str = "condition") -> None:
    """Poll `condition()` until it is true: the real worker delivers in its own time."""
    assert stack.wait_until(condition, timeout), f"{what} not met in {timeout} s"
