def check(candidate):
    assert candidate("a=1&b=2&a=3") == {"a": ["1", "3"], "b": ["2"]}
    assert candidate("") == {}
    assert candidate("?x=1") == {"x": ["1"]}
    assert candidate("q=hello+world%21") == {"q": ["hello world!"]}
    assert candidate("flag&a=1&&b=") == {"flag": [""], "a": ["1"], "b": [""]}
    assert candidate("my+key=v%3D1") == {"my key": ["v=1"]}
    assert list(candidate("z=1&a=2&z=3")) == ["z", "a"]
