def expand_ranges(spec: str) -> list[int]:
    out = []
    for item in spec.split(","):
        if "-" in item:
            a, b = item.split("-")
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(item))
    return out
