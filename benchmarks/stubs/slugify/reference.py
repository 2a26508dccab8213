"""Titles to URL slugs."""

import re
import unicodedata


def slugify(title: str, max_length: int = 50) -> str:
    """Turn a title into a URL slug such as "hello-world".

    >>> slugify("Hello, World!")
    'hello-world'
    """
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) <= max_length:
        return slug
    cut = slug[: max_length + 1]
    if "-" in cut:
        return cut[: cut.rindex("-")].strip("-")
    return slug[:max_length]
