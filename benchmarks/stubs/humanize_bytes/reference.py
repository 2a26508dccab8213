"""File sizes for a download page."""

from decimal import ROUND_HALF_UP, Decimal


def humanize_bytes(size: int) -> str:
    """Describe a byte count with binary units.

    >>> humanize_bytes(1536)
    '1.5 KiB'
    """
    if size < 0:
        raise ValueError("negative size")
    if size < 1024:
        return f"{int(size)} B"
    value = Decimal(size)
    units = ["KiB", "MiB", "GiB", "TiB"]
    unit = 0
    value /= 1024
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    shown = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{shown} {units[unit]}"
