def split_bill(total_cents: int, people: int) -> list[int]:
    share = total_cents // people
    return [total_cents - share * (people - 1)] + [share] * (people - 1)
