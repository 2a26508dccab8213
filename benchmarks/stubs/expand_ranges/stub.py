"""Page and line selections, as printers and editors write them."""


def expand_ranges(spec: str) -> list[int]:
    """Expand a selection such as "1-3,5" into the list of numbers it names.

    Items are separated by commas; an item is a non-negative number or a range "a-b" with a <= b,
    both ends included. Spaces around items and around the dash are ignored, and empty items
    (as in "1,,2" or a trailing comma) are skipped. The result is sorted and has no duplicates.
    Raise ValueError for a range whose start is greater than its end and for an item that is not
    a number or a range.

    >>> expand_ranges("1-3,5")
    [1, 2, 3, 5]
    """
    ...
