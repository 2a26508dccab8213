"""A small in-memory cache for expensive lookups."""


class LRUCache:
    """Keeps at most `capacity` entries, forgetting the least recently used one first."""

    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise ValueError("capacity must be >= 0")
        self.capacity = capacity
        self.entries: dict = {}  # insertion order is recency order: oldest first

    def get(self, key, default=None):
        if key not in self.entries:
            return default
        value = self.entries.pop(key)
        self.entries[key] = value  # now the most recently used
        return value

    def put(self, key, value) -> None:
        """Store `value` under `key`, making it the most recently used entry.

        >>> cache = LRUCache(2)
        >>> cache.put("a", 1)
        >>> cache.get("a")
        1
        """
        if self.capacity == 0:
            return
        if key in self.entries:
            del self.entries[key]
        elif len(self.entries) >= self.capacity:
            del self.entries[next(iter(self.entries))]
        self.entries[key] = value

    def __len__(self) -> int:
        return len(self.entries)
