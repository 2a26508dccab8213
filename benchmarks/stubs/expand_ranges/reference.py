"""Page and line selections, as printers and editors write them."""


def expand_ranges(spec: str) -> list[int]:
    """Expand a selection such as "1-3,5" into the list of numbers it names.

    >>> expand_ranges("1-3,5")
    [1, 2, 3, 5]
    """
    found: set[int] = set()
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        if "-" in item:
            start_text, _, end_text = item.partition("-")
            start_text, end_text = start_text.strip(), end_text.strip()
            if not (start_text.isdigit() and end_text.isdigit()):
                raise ValueError(f"bad range {item!r}")
            start, end = int(start_text), int(end_text)
            if start > end:
                raise ValueError(f"reversed range {item!r}")
            found.update(range(start, end + 1))
        elif item.isdigit():
            found.add(int(item))
        else:
            raise ValueError(f"bad item {item!r}")
    return sorted(found)
