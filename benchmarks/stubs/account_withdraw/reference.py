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

        >>> account = Account(Decimal("100"))
        >>> account.withdraw(Decimal("30"))
        Decimal('70')
        """
        amount = Decimal(amount)
        if amount <= 0:
            raise ValueError("amount must be positive")
        if self.balance - amount < -self.overdraft:
            raise InsufficientFunds(f"cannot withdraw {amount}")
        self.balance -= amount
        self.history.append(-amount)
        return self.balance
