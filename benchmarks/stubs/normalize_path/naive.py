def normalize_path(path: str) -> str:
    parts = []
    for segment in path.split("/"):
        if segment == ".":
            continue
        if segment == "..":
            parts.pop()
        else:
            parts.append(segment)
    return "/".join(parts)
