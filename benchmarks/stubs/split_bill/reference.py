"""Sharing a bill between people, in cents."""


def split_bill(total_cents: int, people: int) -> list[int]:
    """Split `total_cents` into `people` shares of whole cents that add up to the total exactly.

    >>> split_bill(1000, 3)
    [334, 333, 333]
    """
    if people < 1:
        raise ValueError("at least one person must pay")
    if total_cents < 0:
        raise ValueError("negative total")
    share, extra = divmod(total_cents, people)
    return [share + 1] * extra + [share] * (people - extra)
