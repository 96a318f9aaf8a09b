"""Spanish as a US health service writes it (FORMAT_MODULE_PATH): Spanish words and day-month order,
the US 12-hour clock ("8:00 a. m.", the a.m./p.m. spelling comes from locale/es) and US number
separators, because the amounts are US dollars and the visitor's bills and plan papers write
"$1,250.00". Django's own es formats (24-hour clock, "1 250,00") are Spain's."""

DATE_FORMAT = r"j \d\e F \d\e Y"  # 1 de diciembre de 2026
TIME_FORMAT = "g:i a"  # 8:00 a. m.
DATETIME_FORMAT = r"j \d\e F \d\e Y, g:i a"
YEAR_MONTH_FORMAT = r"F \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e F"
SHORT_DATE_FORMAT = "m/d/Y"  # the order of US forms, cards and letters the visitor already holds
SHORT_DATETIME_FORMAT = "m/d/Y g:i a"
FIRST_DAY_OF_WEEK = 0  # Sunday, as US calendars print it

# What a visitor may type: the same as on the English forms, so one address or the other never reads
# 03/04/1990 as two different birthdays.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M", "%I:%M %p", "%I %p"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
