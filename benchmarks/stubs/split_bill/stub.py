"""Sharing a bill between people, in cents."""


def split_bill(total_cents: int, people: int) -> list[int]:
    """Split `total_cents` into `people` shares of whole cents that add up to the total exactly.

    Shares differ by at most one cent, and the larger shares come first. A total of 0 gives a share
    of 0 to everyone. Raise ValueError when `people` is less than 1 or the total is negative.

    >>> split_bill(1000, 3)
    [334, 333, 333]
    """
    ...
