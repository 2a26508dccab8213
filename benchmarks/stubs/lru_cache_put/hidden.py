def check(candidate):
    cache = candidate(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    assert len(cache) == 2 and cache.get("a") == 10 and cache.get("b") == 2
    cache = candidate(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    cache = candidate(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 5)
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 5
    cache = candidate(0)
    cache.put("a", 1)
    assert len(cache) == 0 and cache.get("a") is None
    cache = candidate(1)
    cache.put("a", 1)
    cache.put("b", 2)
    assert len(cache) == 1 and cache.get("b") == 2 and cache.get("a") is None
