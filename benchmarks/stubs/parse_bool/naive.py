def parse_bool(text: str) -> bool:
    return text.lower() in ("true", "yes", "1", "on")
