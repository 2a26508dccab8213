def mask_email(address: str) -> str:
    local, domain = address.split("@")
    return local[0] + "*" * (len(local) - 2) + local[-1] + "@" + domain
