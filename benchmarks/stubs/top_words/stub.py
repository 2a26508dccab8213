"""The most frequent words of a support ticket, for tagging."""


def top_words(text: str, k: int) -> list[tuple[str, int]]:
    """The `k` most frequent words of `text` with their counts, most frequent first.

    Words are runs of letters, possibly with apostrophes inside them ("don't" is one word), and are
    counted case-insensitively, reported in lower case. Words with the same count are ordered
    alphabetically. Fewer than `k` distinct words give all of them; `k` of 0 or less gives [].

    >>> top_words("the cat and the hat", 1)
    [('the', 2)]
    """
    ...
