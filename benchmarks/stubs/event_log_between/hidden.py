def check(candidate):
    log = candidate()
    log.record(5, "b")
    log.record(1, "a")
    log.record(5, "c")
    log.record(10, "d")
    assert log.between(0, 10) == ["a", "b", "c"]
    assert log.between(5, 11) == ["b", "c", "d"]
    assert log.between(10, 10) == [] and log.between(10, 2) == []
    assert [e.name for e in log.events] == ["b", "a", "c", "d"]
    assert candidate().between(0, 100) == []
