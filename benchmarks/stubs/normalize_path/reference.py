"""Cleaning up paths that users paste into a web form (always with forward slashes)."""


def normalize_path(path: str) -> str:
    """Normalise a slash-separated path.

    >>> normalize_path("a/./b/../c")
    'a/c'
    """
    absolute = path.startswith("/")
    parts: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not absolute:
                parts.append("..")
            continue
        parts.append(segment)
    joined = "/".join(parts)
    if absolute:
        return "/" + joined
    return joined or "."
