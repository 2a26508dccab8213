class LRUCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.entries: dict = {}

    def get(self, key, default=None):
        if key not in self.entries:
            return default
        value = self.entries.pop(key)
        self.entries[key] = value
        return value

    def put(self, key, value) -> None:
        if len(self.entries) >= self.capacity and self.entries:
            del self.entries[next(iter(self.entries))]
        self.entries[key] = value

    def __len__(self) -> int:
        return len(self.entries)
