from decimal import Decimal


def check(candidate):
    assert candidate("2.675") == Decimal("2.68")
    assert candidate("-2.675") == Decimal("-2.68")
    assert candidate(Decimal("0.125")) == Decimal("0.13")
    assert candidate(Decimal("0.135")) == Decimal("0.14")
    assert str(candidate(3)) == "3.00"
    assert str(candidate(" 1.5 ", 0)) == "2"
    assert str(candidate("2.5", 0)) == "3"
    assert str(candidate("1.23456", 3)) == "1.235"
    assert str(candidate("-0.005")) == "-0.01"
    try:
        candidate(2.675)
    except TypeError:
        pass
    else:
        raise AssertionError("floats must raise TypeError")
    try:
        candidate("abc")
    except ValueError:
        pass
    else:
        raise AssertionError("a non-number string must raise ValueError")
