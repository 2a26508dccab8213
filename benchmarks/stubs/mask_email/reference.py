"""Showing e-mail addresses in logs without leaking them."""


def mask_email(address: str) -> str:
    """Mask the local part of an e-mail address, keeping its first and last character.

    >>> mask_email("john.doe@example.com")
    'j******e@example.com'
    """
    text = address.strip()
    if text.count("@") != 1:
        raise ValueError("an address has exactly one @")
    local, domain = text.split("@")
    if not local or not domain:
        raise ValueError("empty local part or domain")
    if len(local) <= 2:
        masked = local[:-1] + "*"
    else:
        masked = local[0] + "*" * (len(local) - 2) + local[-1]
    return f"{masked}@{domain.lower()}"
