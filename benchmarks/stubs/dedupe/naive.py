def dedupe(items, key=None):
    return list(dict.fromkeys(items if key is None else map(key, items)))
