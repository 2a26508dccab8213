"""Small text utilities, each a stub with examples."""

import re


def is_palindrome(text: str) -> bool:
    """Return True if `text` reads the same backwards, ignoring case and non-letters.

    >>> is_palindrome("A man, a plan, a canal: Panama")
    True
    >>> is_palindrome("hello")
    False
    >>> is_palindrome("")
    True
    """
    pass


def word_counts(text: str) -> dict[str, int]:
    """Count the words of `text`, lower-cased; words are runs of letters.

    >>> word_counts("The cat and the hat")
    {'the': 2, 'cat': 1, 'and': 1, 'hat': 1}
    >>> word_counts("")
    {}
    """
    raise NotImplementedError
