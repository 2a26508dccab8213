def check(candidate):
    assert candidate({"db": {"host": "x", "port": 1}}, {"db": {"port": 2}}) == {
        "db": {"host": "x", "port": 2}
    }
    assert candidate({}, {}) == {}
    assert candidate({"a": [1, 2]}, {"a": [3]}) == {"a": [3]}
    assert candidate({"a": 1, "b": 2}, {"a": None}) == {"b": 2}
    assert candidate({"a": {"x": 1, "y": 2}}, {"a": {"x": None}}) == {"a": {"y": 2}}
    assert candidate({"a": 1}, {"a": {"b": 2}}) == {"a": {"b": 2}}
    assert candidate({"a": {"b": 1}}, {"a": 5}) == {"a": 5}
    assert candidate({"a": 1}, {"zzz": None}) == {"a": 1}
    base = {"a": {"b": {"c": 1}}, "l": [1]}
    override = {"a": {"b": {"d": 2}}, "n": {"m": 1}}
    merged = candidate(base, override)
    assert merged == {"a": {"b": {"c": 1, "d": 2}}, "l": [1], "n": {"m": 1}}
    assert base == {"a": {"b": {"c": 1}}, "l": [1]}
    assert override == {"a": {"b": {"d": 2}}, "n": {"m": 1}}
    merged["a"]["b"]["c"] = 99
    merged["n"]["m"] = 99
    merged["l"].append(2)
    assert base == {"a": {"b": {"c": 1}}, "l": [1]} and override["n"] == {"m": 1}
