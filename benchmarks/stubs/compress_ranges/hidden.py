def check(candidate):
    assert candidate([1, 2, 3, 5, 7, 8]) == "1-3,5,7-8"
    assert candidate([]) == ""
    assert candidate([4]) == "4"
    assert candidate([3, 1, 2]) == "1-3"
    assert candidate([5, 5, 6, 6, 1]) == "1,5-6"
    assert candidate([-3, -2, -1, 1]) == "-3--1,1"
    assert candidate([10, 12]) == "10,12"
