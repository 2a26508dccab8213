"""Page and line selections, as printers and editors write them."""


def compress_ranges(numbers: list[int]) -> str:
    """Describe a collection of integers as comma-separated ranges, e.g. "1-3,5,7-8".

    The input may be unsorted and may contain duplicates; the result lists each number once, in
    increasing order. Runs of two or more consecutive numbers become "a-b"; single numbers stand
    alone. Negative numbers are allowed (a run from -3 to -1 is "-3--1"). An empty input gives "".

    >>> compress_ranges([1, 2, 3, 5, 7, 8])
    '1-3,5,7-8'
    """
    ...
