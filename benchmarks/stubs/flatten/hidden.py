def check(candidate):
    assert candidate([1, [2, [3, 4]], 5]) == [1, 2, 3, 4, 5]
    assert candidate([]) == []
    assert candidate([[], [[]], ()]) == []
    assert candidate(["ab", ["cd"]]) == ["ab", "cd"]
    assert candidate([(1, 2), [3, (4, [5])]]) == [1, 2, 3, 4, 5]
    assert candidate([{"a": 1}, {2}, b"xy"]) == [{"a": 1}, {2}, b"xy"]
    deep = [1]
    for _ in range(3000):
        deep = [deep]
    assert candidate(deep) == [1]
