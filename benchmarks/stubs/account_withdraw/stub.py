"""A bank account with an overdraft limit."""

from decimal import Decimal


class InsufficientFunds(Exception):
    """The withdrawal would take the balance below the overdraft limit."""


class Account:
    def __init__(self, balance: Decimal = Decimal("0"), overdraft: Decimal = Decimal("0")) -> None:
        self.balance = Decimal(balance)
        self.overdraft = Decimal(overdraft)  # how far below zero the balance may go
        self.history: list[Decimal] = []

    def withdraw(self, amount: Decimal) -> Decimal:
        """Take `amount` out of the account and return the new balance.

        The balance may go below zero by at most the overdraft limit; a withdrawal that would go
        further raises InsufficientFunds and changes nothing. Raise ValueError for an amount that is
        zero or negative. Each successful withdrawal is recorded in `history` as a negative amount.

        >>> account = Account(Decimal("100"))
        >>> account.withdraw(Decimal("30"))
        Decimal('70')
        """
        ...
