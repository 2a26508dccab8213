def parse_key_values(text: str) -> dict[str, str]:
    pairs = [segment.split("=") for segment in text.split(";")]
    return {k.strip(): v.strip() for k, v in pairs}
