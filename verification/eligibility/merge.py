"""One summary from the answers to several requests of one round (a payer asked one service type
per request). FIRST VERSION (foundation): the first answer only; the fan-out work replaces this."""

from .summary import BenefitSummary


def merge_summaries(summaries: list[BenefitSummary], *, asked: list[list[str]] | None = None) -> BenefitSummary:
    return summaries[0]
