"""Plain-text e-mails wrapped to a fixed width."""


def wrap_text(text: str, width: int) -> list[str]:
    """Wrap `text` into lines of at most `width` characters, filling each line greedily.

    >>> wrap_text("the quick brown fox", 10)
    ['the quick', 'brown fox']
    """
    if width < 1:
        raise ValueError("width must be at least 1")
    lines: list[str] = []
    current = ""
    for word in text.split():
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines
