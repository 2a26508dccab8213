import re


def slugify(title: str, max_length: int = 50) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:max_length]
