def run_length_encode(text: str) -> str:
    out, i = "", 0
    while i < len(text):
        j = i
        while j < len(text) and text[j].lower() == text[i].lower() and j - i < 9:
            j += 1
        out += f"{j - i}{text[i]}"
        i = j
    return out
