from decimal import Decimal


def round_money(amount, places: int = 2) -> Decimal:
    return Decimal(str(round(float(amount) + 1e-9, places))).quantize(Decimal(1).scaleb(-places))
