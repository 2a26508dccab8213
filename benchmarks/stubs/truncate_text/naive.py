def truncate_text(text: str, limit: int, ellipsis: str = "...") -> str:
    if len(text) <= limit:
        return text
    return text[: limit - len(ellipsis) + 1].rsplit(" ", 1)[0] + ellipsis
