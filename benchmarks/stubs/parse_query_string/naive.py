def parse_query_string(query: str) -> dict[str, list[str]]:
    result = {}
    for pair in query.split("&"):
        name, value = pair.split("=")
        result.setdefault(name, []).append(value)
    return result
