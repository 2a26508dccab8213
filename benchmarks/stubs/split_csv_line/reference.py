"""A CSV-ish line splitter for log lines where the csv module is too heavy."""


def split_csv_line(line: str, sep: str = ",") -> list[str]:
    """Split one line into fields at `sep`, honouring double quotes.

    >>> split_csv_line('a,"b,c",d')
    ['a', 'b,c', 'd']
    """
    fields: list[str] = []
    i = 0
    while True:
        if i < len(line) and line[i] == '"':
            i += 1
            value = []
            while True:
                if i >= len(line):
                    raise ValueError("unterminated quote")
                if line[i] == '"':
                    if i + 1 < len(line) and line[i + 1] == '"':
                        value.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                value.append(line[i])
                i += 1
            end = line.find(sep, i)
            end = len(line) if end == -1 else end
            fields.append("".join(value) + line[i:end])
        else:
            end = line.find(sep, i)
            end = len(line) if end == -1 else end
            fields.append(line[i:end])
        if end >= len(line):
            return fields
        i = end + len(sep)
