"""The most frequent words of a support ticket, for tagging."""

import re
from collections import Counter


def top_words(text: str, k: int) -> list[tuple[str, int]]:
    """The `k` most frequent words of `text` with their counts, most frequent first.

    >>> top_words("the cat and the hat", 1)
    [('the', 2)]
    """
    if k <= 0:
        return []
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*", text.lower())
    counts = Counter(words)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:k]
