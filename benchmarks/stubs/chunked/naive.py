def chunked(items, size):
    items = list(items)
    return [items[i:i + size] for i in range(0, len(items), size)]
