"""Run-length encoding for compact storage of strings with long runs."""


def run_length_decode(encoded: str) -> str:
    """Decode text written as counts followed by characters, such as "3a1b".

    >>> run_length_decode("3a1b")
    'aaab'
    """
    out = []
    count = ""
    for ch in encoded:
        if ch.isdigit():
            count += ch
            continue
        if not count:
            raise ValueError(f"character {ch!r} has no count")
        out.append(ch * int(count))
        count = ""
    if count:
        raise ValueError("text ends with a count")
    return "".join(out)
