def check(candidate):
    assert candidate("host=db; port=5432") == {"host": "db", "port": "5432"}
    assert candidate("") == {}
    assert candidate("A=1;a=2") == {"a": "2"}
    assert candidate("url=x?a=b;") == {"url": "x?a=b"}
    assert candidate("empty=") == {"empty": ""}
    assert candidate(" ; k = v ; ") == {"k": "v"}
    for bad in ["novalue", "=x", "a=1;b"]:
        try:
            candidate(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {bad!r}")
