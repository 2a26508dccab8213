"""Plain-text e-mails wrapped to a fixed width."""


def wrap_text(text: str, width: int) -> list[str]:
    """Wrap `text` into lines of at most `width` characters, filling each line greedily.

    Words are separated by any whitespace (newlines included), and lines join words with single
    spaces. A word longer than `width` is not broken: it gets a line of its own. Text with no words
    gives an empty list. Raise ValueError when `width` is less than 1.

    >>> wrap_text("the quick brown fox", 10)
    ['the quick', 'brown fox']
    """
    ...
