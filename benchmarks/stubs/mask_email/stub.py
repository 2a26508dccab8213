"""Showing e-mail addresses in logs without leaking them."""


def mask_email(address: str) -> str:
    """Mask the local part of an e-mail address, keeping its first and last character.

    "john.doe@example.com" becomes "j******e@example.com": one "*" per hidden character. A local
    part of one or two characters is kept with its last character masked ("a@x.io" becomes
    "*@x.io", "ab@x.io" becomes "a*@x.io"). The domain is kept but lower-cased. Surrounding spaces
    are ignored. Raise ValueError unless the address has exactly one "@" with something on both
    sides.

    >>> mask_email("john.doe@example.com")
    'j******e@example.com'
    """
    ...
