def backoff_schedule(retries, base=0.5, factor=2.0, cap=30.0):
    return [base * factor ** i for i in range(retries)]
