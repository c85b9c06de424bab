"""How Django shows dates and times (the admin above all): to the second, and saying that it is UTC.

The app runs in UTC (``TIME_ZONE``), so every moment shown through these formats is a UTC moment.
"""

DATETIME_FORMAT = r"Y-m-d H:i:s \U\T\C"
SHORT_DATETIME_FORMAT = r"Y-m-d H:i:s \U\T\C"
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
TIME_FORMAT = r"H:i:s \U\T\C"
