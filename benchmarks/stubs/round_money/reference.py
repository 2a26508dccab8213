"""Money amounts on invoices."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def round_money(amount: Decimal | str | int, places: int = 2) -> Decimal:
    """Round an amount to `places` decimal places the way invoices do.

    >>> round_money("2.675")
    Decimal('2.68')
    """
    if isinstance(amount, float) or isinstance(amount, bool):
        raise TypeError("floats cannot hold money exactly")
    if isinstance(amount, str):
        try:
            value = Decimal(amount.strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {amount!r}") from None
        if not value.is_finite():
            raise ValueError(f"not a number: {amount!r}")
    elif isinstance(amount, (Decimal, int)):
        value = Decimal(amount)
    else:
        raise TypeError(f"cannot round {type(amount).__name__}")
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
