"""Previews of long comments in a list view."""


def truncate_text(text: str, limit: int, ellipsis: str = "...") -> str:
    """Shorten `text` to at most `limit` characters, ellipsis included.

    Text that already fits is returned unchanged. Otherwise cut at the last space that leaves room
    for the ellipsis, drop trailing spaces, and append the ellipsis; when the first word alone does
    not fit, cut inside it instead. Raise ValueError when `limit` is smaller than the length of the
    ellipsis.

    >>> truncate_text("The quick brown fox", 12)
    'The quick...'
    """
    ...
