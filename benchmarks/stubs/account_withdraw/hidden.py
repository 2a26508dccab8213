from decimal import Decimal as D


def check(candidate):
    account = candidate(D("100"))
    assert account.withdraw(D("30")) == D("70")
    assert account.history == [D("-30")]
    assert account.withdraw(D("70")) == D("0")
    account = candidate(D("10"), overdraft=D("50"))
    assert account.withdraw(D("60")) == D("-50")
    raised = None
    try:
        account.withdraw(D("0.01"))
    except Exception as error:  # InsufficientFunds lives in the candidate's module
        raised = error
    assert raised is not None and type(raised).__name__ == "InsufficientFunds"
    assert account.balance == D("-50") and account.history == [D("-60")]
    for bad in [D("0"), D("-5")]:
        try:
            account.withdraw(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {bad!r}")
    assert account.balance == D("-50")
