def wrap_text(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split(" "):
        if len(current) + len(word) + 1 > width and current:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return lines
