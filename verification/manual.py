"""A phone verification, entered by staff, turned into the same BenefitSummary a payer sends."""


def summary_from_manual_entry(verification, data: dict, *, by):
    raise NotImplementedError("manual entry is being built")
