"""Values a payer sent that cannot be what they claim to be: kept, flagged, never quoted as fact.

A shifted element is the usual cause: a deductible's 1840 lands in the percent element, a dollar
amount lands where a number of visits belongs. Staff would read such a figure out on the call, so
the value leaves the field the levels of care read (`percent`, `amount`, `quantity`), stays on the
row in `BenefitRow.doubtful` as the payer sent it, and the summary's warnings say what happened in
plain words. Both readers (271 and JSON) run every row through `check_row`.

The percentage element arrives as the payer sent it. Only on a coinsurance row is a whole number
such as 20 read as 20 % (with a warning saying so): on a deductible, copay or out-of-pocket row it is
an amount in the wrong element, and the one warning says that.
"""

from decimal import Decimal

from .codes import join_words, with_article
from .summary import BenefitRow

# Rows whose figure is an amount of money: a percent on them is an amount in the wrong element.
AMOUNT_ROWS = {"B": "copay", "C": "deductible", "G": "out-of-pocket maximum"}
# Quantities that count whole things: days, visits, hours, services, months, years.
COUNTED = frozenset({"DY", "VS", "HS", "P6", "MN", "YY", "99", "CA", "CE", "QA", "D3"})
# No plan counts a thousand days or visits: a number that large is an amount in the wrong place.
MOST_COUNTED = Decimal(999)
COINSURANCE = "A"
WHAT = {"A": "coinsurance", "B": "copay", "C": "deductible", "G": "out-of-pocket maximum", "F": "limit"}


def check_row(row: BenefitRow, warnings: list[str]) -> None:
    """Move any impossible value of `row` into `row.doubtful`, with one warning saying so.

    The percentage element is read as the payer sent it (`BenefitRow.percent_sent`); a whole number
    is read as a percentage only on a coinsurance row, once it is clear the row is not an amount
    in the wrong element.
    """
    what = _what(row)
    if row.percent is not None and row.eb01 in AMOUNT_ROWS and row.amount is None:
        _doubt(
            row,
            "percent",
            warnings,
            f"{what}: the payer sent {_plain(row.percent)} in the percentage element and no amount, "
            f"so the {AMOUNT_ROWS[row.eb01]} is not known",
        )
    elif row.percent is not None and row.eb01 == COINSURANCE and _whole_percentage(row.percent):
        # The guide asks for a fraction (0.2); some payers send 20 for 20 %. A 1.5 could be 150 %
        # or 1.5 %, so only whole numbers are read this way.
        sent = _plain(row.percent)
        row.percent /= 100
        warnings.append(f"{what}: the payer sent {sent} where the standard asks for a fraction; it is read as {sent}%.")
    elif row.percent is not None and (row.percent > 1 or row.percent < 0):
        _doubt(
            row, "percent", warnings, f"{what}: the payer sent {_plain(row.percent)} as a percentage, which cannot be"
        )
    if row.amount is not None and row.amount < 0:
        _doubt(row, "amount", warnings, f"{what}: the payer sent a negative amount ({_plain(row.amount)})")
    quantity = row.quantity
    if quantity is not None and row.quantity_qualifier in COUNTED:
        written_as_money = quantity.as_tuple().exponent < 0  # "2500.00": cents, not a count
        if quantity < 0 or quantity > MOST_COUNTED or written_as_money:
            unit = row.quantity_qualifier_description or row.quantity_qualifier
            _doubt(
                row,
                "quantity",
                warnings,
                f"{what}: the payer sent {_plain(quantity)} as a number of {unit}, which looks like an amount "
                "in the wrong place",
            )


def _whole_percentage(percent: Decimal) -> bool:
    return percent == percent.to_integral_value() and Decimal(1) < percent <= Decimal(100)


def _doubt(row: BenefitRow, element: str, warnings: list[str], sentence: str) -> None:
    row.doubtful[element] = _plain(getattr(row, element))
    setattr(row, element, None)
    warnings.append(f"{sentence}. It is kept in the benefit rows but not shown as a figure.")


def _what(row: BenefitRow) -> str:
    kind = WHAT.get(row.eb01, row.eb01_description or "benefit")
    services = join_words(row.service_type_descriptions[:3]) or "the plan"
    named = with_article(kind)
    return f"{named[0].upper()}{named[1:]} row for {services}"


def _plain(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,f}"
