"""Previews of long comments in a list view."""


def truncate_text(text: str, limit: int, ellipsis: str = "...") -> str:
    """Shorten `text` to at most `limit` characters, ellipsis included.

    >>> truncate_text("The quick brown fox", 12)
    'The quick...'
    """
    if limit < len(ellipsis):
        raise ValueError("limit is shorter than the ellipsis")
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    head = text[: room + 1]
    cut = head.rfind(" ")
    kept = head[:cut].rstrip() if cut > 0 else ""
    if not kept:
        kept = text[:room]
    return kept + ellipsis
