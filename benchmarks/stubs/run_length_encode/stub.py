"""Run-length encoding for compact storage of strings with long runs."""


def run_length_encode(text: str) -> str:
    """Encode each run of a repeated character as its count followed by the character.

    "aaab" becomes "3a1b". Every run gets a count, even a run of one, and long runs are not split
    ("a" * 12 becomes "12a"). Case matters ("aA" is two runs). Raise ValueError if the text contains
    a digit, since the encoding could not be decoded. An empty text encodes to "".

    >>> run_length_encode("aaabcc")
    '3a1b2c'
    """
    ...
