"""A class whose method is a stub: the examples share state, as doctests do."""


class Inventory:
    """Counts items by name."""

    def __init__(self) -> None:
        self.items: dict[str, int] = {}

    def add(self, name: str, count: int = 1) -> int:
        """Add `count` of `name` and return the new total for `name`.

        >>> inv = Inventory()
        >>> inv.add("apple", 2)
        2
        >>> inv.add("apple")
        3
        >>> inv.add("pear", 5)
        5
        """
        ...

    def count(self, name: str) -> int:
        return self.items.get(name, 0)
