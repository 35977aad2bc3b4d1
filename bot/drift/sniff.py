"""What a delimited text file looks like, from its first bytes: the delimiter, whether the
first row is a header, and which columns hold numbers. Pure: bytes in, `Layout` out.

Delimiter: of `,` `;` tab and `|`, the one that splits the sampled rows (quotes respected,
as `csv` reads them) into the most columns of the same width in most rows; none of them
splitting anything, the file is one column. Line endings: LF, CRLF or CR alike.

Header: the first row is a header when all its cells are distinct non-numbers and some
column below it holds numbers (or none of its cells reappear below); otherwise the columns
are named `_c0`, `_c1`, ... as Model Monitor names them.

A column is numeric when at least `NUMERIC_SHARE` (95%) of its non-missing sampled cells are
numbers; missing cells are empty, `NA`, `N/A`, `NaN`, `null` or `None` (any case).
Unreadable input (empty, NUL bytes, not UTF-8 text) raises `InputError` naming the file.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass

from bot.core.errors import InputError

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none"})
DELIMITERS = (",", ";", "\t", "|")
NUMERIC_SHARE = 0.95
SAMPLE_ROWS = 2_000
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass(frozen=True)
class Layout:
    delimiter: str
    header: bool
    names: tuple[str, ...]
    numeric: frozenset[str]  # names of the columns that hold numbers
    quoted: bool  # a quote character was seen: values may hold line breaks

    @property
    def delimiter_name(self) -> str:
        return _DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return cell.strip().lower() not in MISSING


def text_of(head: bytes, source: str) -> str:
    """The sampled bytes as text; InputError for an empty or binary file."""
    if not head.strip():
        raise InputError(f"{source} is empty")
    if b"\x00" in head:
        raise InputError(
            f"{source} is not text (NUL bytes): expected CSV, gzip, Parquet or JSON lines"
        )
    text = head.decode("utf-8-sig", errors="replace")
    if text.count("\ufffd") > max(8, len(text) // 100):
        raise InputError(f"{source} is not UTF-8 text: expected CSV, gzip, Parquet or JSON lines")
    return text


def rows_of(text: str, delimiter: str, complete: bool) -> list[list[str]]:
    """Rows of the sampled text; the last line is dropped when the sample cut it short."""
    lines = text.splitlines()
    if not complete and len(lines) > 1:
        lines = lines[:-1]
    return [row for row in csv.reader(lines[:SAMPLE_ROWS], delimiter=delimiter) if row]


def delimiter_of(text: str, complete: bool) -> str:
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = Counter(len(row) for row in rows_of(text, delimiter, complete))
        if not widths:
            continue
        width, rows = widths.most_common(1)[0]
        score = (rows, width) if width > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def has_header(rows: list[list[str]]) -> bool:
    first, body = rows[0], rows[1:101]
    cells = [cell.strip() for cell in first]
    if any(not cell or is_number(cell) for cell in cells) or len(set(cells)) != len(cells):
        return False
    if not body:
        return True
    for index in range(len(cells)):
        if any(index < len(row) and is_number(row[index]) for row in body):
            return True
    return not any(
        index < len(row) and row[index].strip() == cell
        for index, cell in enumerate(cells)
        for row in body
    )


def numeric_columns(names: tuple[str, ...], rows: list[list[str]]) -> frozenset[str]:
    found = set()
    for index, name in enumerate(names):
        cells = [row[index].strip() for row in rows if index < len(row)]
        present = [cell for cell in cells if cell.lower() not in MISSING]
        numbers = sum(1 for cell in present if is_number(cell))
        if present and numbers >= NUMERIC_SHARE * len(present):
            found.add(name)
    return frozenset(found)


def sniff(head: bytes, source: str, complete: bool) -> Layout:
    """The layout of a delimited text file from its first bytes (`complete`: all of it)."""
    text = text_of(head, source)
    delimiter = delimiter_of(text, complete)
    rows = rows_of(text, delimiter, complete)
    if not rows:
        raise InputError(f"{source} holds no data rows")
    header = has_header(rows)
    width = Counter(len(row) for row in rows).most_common(1)[0][0]
    if header:
        names = tuple(cell.strip() for cell in rows[0])
        rows = rows[1:]
    else:
        names = tuple(f"_c{i}" for i in range(width))
    return Layout(delimiter, header, names, numeric_columns(names, rows), '"' in text)
