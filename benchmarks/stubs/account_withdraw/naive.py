from decimal import Decimal


class InsufficientFunds(Exception):
    pass


class Account:
    def __init__(self, balance=Decimal("0"), overdraft=Decimal("0")) -> None:
        self.balance = Decimal(balance)
        self.overdraft = Decimal(overdraft)
        self.history = []

    def withdraw(self, amount):
        if amount > self.balance:
            raise InsufficientFunds()
        self.balance -= amount
        self.history.append(amount)
        return self.balance
