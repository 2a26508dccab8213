"""File sizes for a download page."""


def humanize_bytes(size: int) -> str:
    """Describe a byte count with binary units: "512 B", "1.5 KiB", "3.0 MiB".

    Below 1024 the count is shown as a whole number with "B". Otherwise divide by 1024 until the
    value is below 1024 or the unit is TiB (the largest unit: 2048 TiB stays in TiB), and show one
    digit after the point, rounded half-up on that digit. Raise ValueError for a negative size.

    >>> humanize_bytes(1536)
    '1.5 KiB'
    """
    ...
