def check(candidate):
    assert candidate([3, 1, 3, 2, 1]) == [3, 1, 2]
    assert candidate([]) == []
    assert candidate("abracadabra") == ["a", "b", "r", "c", "d"]
    assert candidate(["B", "a", "b", "A"], key=str.lower) == ["B", "a"]
    assert candidate([(1, "x"), (2, "y"), (1, "z")], key=lambda p: p[0]) == [(1, "x"), (2, "y")]
    data = [2, 2, 1]
    assert candidate(data) == [2, 1] and data == [2, 2, 1]
    assert candidate(iter([5, 5, 6])) == [5, 6]
