"""Two datasets read for comparison: CSV (any delimiter, gzip or not), Parquet, and SageMaker
data capture (bot.drift.sources says which), streamed in batches into per-feature
accumulators (bot.drift.columns).

Why pyarrow: its CSV reader parses in C++ with typed columns (numbers straight to float64,
text dictionary-encoded) in bounded blocks, reads gzip through a decompressing stream and
Parquet by row group, all from one library of the Apache project with wheels for every
platform; polars would do as well, but pulls in a second dataframe model for what is here a
reader. 1,000,000 × 20 CSV is read in about a second, in about 130 MB.

Memory: a side's numeric values are kept while they fit (`columns.EXACT_VALUES`), for
exact statistics. A larger baseline is read twice: once for a uniform sample of each
feature, which places the grid of bot.drift.binned, then to count its values on that grid;
the current data is then counted on the same grid as it streams. Memory stays bounded
whatever the number of rows.

Columns: matched by name when the current data has a header (or is Parquet), else by
position (data capture has none). Numeric or categorical is the baseline's kind
(bot.drift.sniff); a cell of a numeric column that is no number counts as missing.
Ragged rows (more or fewer cells than the header) are skipped and counted in a note; a
file where most rows are ragged is an error naming the delimiter it was read with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.csv as pacsv

from bot.core.errors import InputError
from bot.drift.binned import edges_from
from bot.drift.columns import EXACT_VALUES, Categories, Counted, Kept, Numbers, Sampled, floats
from bot.drift.sniff import Layout, sniff
from bot.drift.sources import Delimited, Input, Parquet

BLOCK_BYTES = 1 << 20
PARQUET_BATCH = 65_536
NULLS = sorted(
    {v for w in ("", "na", "n/a", "nan", "null", "none") for v in (w, w.upper(), w.title())}
    | {"NaN"}
)


@dataclass(frozen=True)
class Shape:
    """How one input is read: its columns, whether they are named, which hold numbers."""

    source: str
    names: tuple[str, ...]
    named: bool
    numeric: frozenset[str]
    layout: Layout | None = None  # delimited text only


@dataclass(frozen=True)
class Feature:
    name: str
    base_column: str
    current_column: str
    numeric: bool


@dataclass
class Side:
    """One dataset as read: rows, and each feature's accumulator."""

    source: str
    rows: int = 0
    numbers: dict[str, Numbers] = field(default_factory=dict)
    categories: dict[str, Categories] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class _TooLarge(Exception):
    """The side's numeric values outgrew EXACT_VALUES: count them on a grid instead."""


def shape_of(data: Input) -> Shape:
    if isinstance(data, Parquet):
        schema = data.file.schema_arrow
        numeric = {
            f.name
            for f in schema
            if pa.types.is_integer(f.type)
            or pa.types.is_floating(f.type)
            or pa.types.is_decimal(f.type)
        }
        return Shape(data.source, tuple(schema.names), True, frozenset(numeric))
    layout = sniff(data.head, data.source, data.complete)
    named = layout.header and not data.capture
    return Shape(data.source, layout.names, named, layout.numeric, layout)


def match(base: Shape, current: Shape) -> tuple[list[Feature], list[str]]:
    """The features both sides hold, and notes on the columns only one side has."""
    if current.named:
        where = set(current.names)
        features = [Feature(n, n, n, n in base.numeric) for n in base.names if n in where]
        extra = [n for n in current.names if n not in set(base.names)]
    else:
        features = [
            Feature(n, n, current.names[i], n in base.numeric)
            for i, n in enumerate(base.names)
            if i < len(current.names)
        ]
        extra = [f"_c{i}" for i in range(len(base.names), len(current.names))]
    taken = {f.name for f in features}
    notes = []
    if missing := [n for n in base.names if n not in taken]:
        notes.append(f"only in the baseline: {', '.join(missing)}")
    if extra:
        notes.append(f"only in the current data: {', '.join(extra)}")
    return features, notes


def load(base_data: Input, current_data: Input) -> tuple[list[Feature], Side, Side, list[str]]:
    """Both sides read: exactly when they fit, else counted on the baseline's grid."""
    base_shape, current_shape = shape_of(base_data), shape_of(current_data)
    features, notes = match(base_shape, current_shape)
    if not features:
        raise InputError(_nothing_in_common(base_shape, current_shape))
    base_columns = {f.base_column: f for f in features}
    current_columns = {f.current_column: f for f in features}
    exact = _exact(
        (base_data, base_shape, base_columns), (current_data, current_shape, current_columns)
    )
    base, current = exact
    if base is None:
        sampled = read(base_data, base_shape, base_columns, lambda _: Sampled())
        edges = {
            n: edges_from(s.sample) for n, s in sampled.numbers.items() if isinstance(s, Sampled)
        }
        base = read(base_data, base_shape, base_columns, lambda n: Counted(edges[n]))
        current = read(current_data, current_shape, current_columns, lambda n: Counted(edges[n]))
    elif current is None:
        edges = {n: edges_from(k.values()) for n, k in base.numbers.items() if isinstance(k, Kept)}
        for name, kept in list(base.numbers.items()):
            if isinstance(kept, Kept):
                counted = Counted(edges[name])
                counted.add(kept.values())
                base.numbers[name] = counted
        current = read(current_data, current_shape, current_columns, lambda n: Counted(edges[n]))
    return features, base, current, notes


def _exact(*sides: tuple[Input, Shape, dict[str, Feature]]) -> list[Side | None]:
    """Both sides read at once (pyarrow parses without the GIL: two cores, two files),
    values kept; None for a side too large for that."""
    with ThreadPoolExecutor(len(sides)) as pool:
        futures = [pool.submit(read, *side, lambda _: Kept()) for side in sides]
        found: list[Side | None] = []
        for future in futures:
            try:
                found.append(future.result())
            except _TooLarge:
                found.append(None)
    return found


def read(
    data: Input, shape: Shape, columns: dict[str, Feature], numbers: Callable[[str], Numbers]
) -> Side:
    """One pass over a side; a numeric column holding text is read again as text."""
    try:
        return _read(data, shape, columns, numbers, strict=True)
    except pa.ArrowInvalid as error:
        if "conversion error" not in str(error):
            raise InputError(f"cannot read {data.source}: {str(error).splitlines()[0]}") from None
        return _read(data, shape, columns, numbers, strict=False)


def _read(
    data: Input,
    shape: Shape,
    columns: dict[str, Feature],
    numbers: Callable[[str], Numbers],
    strict: bool,
) -> Side:
    side = Side(shape.source, notes=list(data.notes) if isinstance(data, Delimited) else [])
    for feature in columns.values():
        if feature.numeric:
            side.numbers[feature.name] = numbers(feature.name)
        else:
            side.categories[feature.name] = Categories()
    kept = 0
    ragged: list[int] = [0]
    for batch in _batches(data, shape, columns, strict, ragged):
        side.rows += batch.num_rows
        for column, feature in columns.items():
            array = batch.column(column)
            if feature.numeric:
                values = floats(
                    array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
                )
                side.numbers[feature.name].add(values)
                kept += values.size
            else:
                side.categories[feature.name].add(array)
        if kept > EXACT_VALUES and any(isinstance(n, Kept) for n in side.numbers.values()):
            raise _TooLarge
    if ragged[0]:
        width = len(shape.names)
        if ragged[0] > side.rows and shape.layout:
            raise InputError(
                f"{shape.source}: most rows do not have {width} cells when split on "
                f"{shape.layout.delimiter_name}: is that the delimiter?"
            )
        side.notes.append(f"{shape.source}: {ragged[0]} row(s) without {width} cells skipped")
    if not side.rows:
        raise InputError(f"{shape.source} holds no data rows")
    return side


def _batches(
    data: Input, shape: Shape, columns: dict[str, Feature], strict: bool, ragged: list[int]
) -> Iterator[pa.RecordBatch]:
    if isinstance(data, Parquet):
        yield from data.file.iter_batches(batch_size=PARQUET_BATCH, columns=list(columns))
        return
    layout = shape.layout
    assert layout is not None

    def skip(_row: object) -> str:
        ragged[0] += 1
        return "skip"

    text = pa.dictionary(pa.int32(), pa.string())
    types = {c: pa.float64() if f.numeric and strict else text for c, f in columns.items()}
    try:
        with data.open() as stream:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(
                    column_names=list(shape.names),
                    skip_rows=1 if layout.header else 0,
                    block_size=BLOCK_BYTES,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=layout.delimiter,
                    newlines_in_values=layout.quoted,
                    invalid_row_handler=skip,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=types,
                    include_columns=list(columns),
                    null_values=NULLS,
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                ),
            )
            yield from reader
    except pa.ArrowInvalid:
        raise
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"cannot read {data.source}: {str(error).splitlines()[0]}") from None


def _nothing_in_common(base: Shape, current: Shape) -> str:
    problem = f"{base.source} and {current.source} have no column in common"
    for shape in (base, current):
        if len(shape.names) == 1 and shape.layout:
            return (
                f"{problem}: {shape.source} reads as one column ({shape.names[0][:60]!r}); "
                "is its delimiter one of , ; tab | ?"
            )
    return problem
