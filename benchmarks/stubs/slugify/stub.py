"""Titles to URL slugs."""


def slugify(title: str, max_length: int = 50) -> str:
    """Turn a title into a URL slug such as "hello-world".

    Letters are lower-cased and accents are removed ("Crème" becomes "creme"); letters and digits
    are kept and every other run of characters becomes a single hyphen, so the slug never starts or
    ends with a hyphen and never has two in a row. Characters with no ASCII form (such as "日本")
    are dropped. A slug longer than `max_length` is cut at the last hyphen that keeps it within the
    limit, or cut hard at `max_length` when it has no such hyphen. A title with nothing to keep
    gives "".

    >>> slugify("Hello, World!")
    'hello-world'
    """
    ...
