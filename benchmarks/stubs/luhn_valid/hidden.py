def check(candidate):
    assert candidate("4539 1488 0343 6467") is True
    assert candidate("4539 1488 0343 6468") is False
    assert candidate("4539-1488-0343-6467") is True
    assert candidate("059") is True
    assert candidate("0") is False
    assert candidate("00") is True
    assert candidate("") is False
    assert candidate(" ") is False
    assert candidate("4539a1488 0343 6467") is False
    assert candidate("4539_1488_0343_6467") is False
    assert candidate("٤٥") is False
