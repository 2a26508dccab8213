def check(candidate):
    assert candidate("john.doe@example.com") == "j******e@example.com"
    assert candidate("a@x.io") == "*@x.io"
    assert candidate("ab@x.io") == "a*@x.io"
    assert candidate("abc@x.io") == "a*c@x.io"
    assert candidate(" Bob@Example.COM ") == "B*b@example.com"
    for bad in ["nobody", "a@b@c", "@x.io", "a@", ""]:
        try:
            candidate(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {bad!r}")
