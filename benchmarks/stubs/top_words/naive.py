from collections import Counter


def top_words(text, k):
    return Counter(text.split()).most_common(k)
