"""Comparing release numbers."""


def compare_versions(a: str, b: str) -> int:
    """Compare two dotted version strings; return -1 if a < b, 0 if equal, 1 if a > b.

    >>> compare_versions("1.2", "1.10")
    -1
    >>> compare_versions("2.0", "2.0")
    0
    """

    def parse(text: str):
        text = text.strip()
        if text[:1] in ("v", "V"):
            text = text[1:]
        release, _, tag = text.partition("-")
        parts = release.split(".")
        if any(not p.isdigit() for p in parts):
            raise ValueError(f"bad version {text!r}")
        numbers = [int(p) for p in parts]
        while len(numbers) > 1 and numbers[-1] == 0:
            numbers.pop()
        return numbers, tag

    (na, ta), (nb, tb) = parse(a), parse(b)
    width = max(len(na), len(nb))
    na, nb = na + [0] * (width - len(na)), nb + [0] * (width - len(nb))
    if na != nb:
        return -1 if na < nb else 1
    if ta == tb:
        return 0
    if not ta:
        return 1
    if not tb:
        return -1
    return -1 if ta < tb else 1
