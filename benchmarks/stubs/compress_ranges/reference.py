"""Page and line selections, as printers and editors write them."""


def compress_ranges(numbers: list[int]) -> str:
    """Describe a collection of integers as comma-separated ranges, e.g. "1-3,5,7-8".

    >>> compress_ranges([1, 2, 3, 5, 7, 8])
    '1-3,5,7-8'
    """
    values = sorted(set(numbers))
    parts = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        parts.append(str(values[i]) if i == j else f"{values[i]}-{values[j]}")
        i = j + 1
    return ",".join(parts)
