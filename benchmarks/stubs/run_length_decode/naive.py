def run_length_decode(encoded: str) -> str:
    return "".join(encoded[i + 1] * int(encoded[i]) for i in range(0, len(encoded), 2))
