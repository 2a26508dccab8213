"""A CSV-ish line splitter for log lines where the csv module is too heavy."""


def split_csv_line(line: str, sep: str = ",") -> list[str]:
    """Split one line into fields at `sep`, honouring double quotes.

    A field that starts with a double quote runs to the matching closing quote, may contain `sep`,
    and a doubled quote inside it ("") stands for one quote; the surrounding quotes are not part of
    the field. Unquoted fields are returned exactly as written, spaces included. An empty line is one
    empty field, and a trailing separator adds an empty last field. Raise ValueError for a quote that
    is never closed.

    >>> split_csv_line('a,"b,c",d')
    ['a', 'b,c', 'd']
    """
    ...
