def from_roman(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, ch in enumerate(numeral):
        if i + 1 < len(numeral) and values[numeral[i + 1]] > values[ch]:
            total -= values[ch]
        else:
            total += values[ch]
    return total
