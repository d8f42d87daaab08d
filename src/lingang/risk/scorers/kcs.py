"""Korea Customs (KCS) synthetic declarations as training rows for the scorers.

Rows come straight from the published CSV files (``df_syn_{train,valid}_eng.csv``): every
identifier is read as a string (``HS6 Code`` keeps its leading zeros), prices and masses as
floats, ``Date`` as a date and the two labels as integers.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lingang.errors import Invalid, NotFound

ID = "Declaration ID"
DATE = "Date"
LABEL = "Fraud"
CRITICAL = "Critical Fraud"
PRICE = "Item Price"
MASS = "Net Mass"
TAX_RATE = "Tax Rate"

#: The raw categorical columns, in file order.
CATEGORICAL: tuple[str, ...] = (
    "Office ID", "Process Type", "Import Type", "Import Use", "Payment Type",
    "Mode of Transport", "Declarant ID", "Importer ID", "Seller ID", "Courier ID",
    "HS6 Code", "Country of Departure", "Country of Origin", "Tax Type",
    "Country of Origin Indicator",
)  # fmt: skip
#: The raw numeric columns.
NUMERIC: tuple[str, ...] = (TAX_RATE, MASS, PRICE)
COLUMNS: tuple[str, ...] = (ID, DATE, *CATEGORICAL, *NUMERIC, LABEL, CRITICAL)

#: The name the KCS-trained scorer is saved under.
DEFAULT_SCORER = "kcs-gbdt"
DEFAULT_DIR = Path("../shared/data/customs-kcs-synthetic")
DEFAULT_TRAIN = DEFAULT_DIR / "df_syn_train_eng.csv"
DEFAULT_VALID = DEFAULT_DIR / "df_syn_valid_eng.csv"


def read_kcs_csv(path: Path) -> pl.DataFrame:
    """One KCS split file, typed; raises ``NotFound``/``Invalid`` for a missing or odd file."""
    if not path.is_file():
        raise NotFound(f"KCS file {path} not found")
    raw = pl.read_csv(path, infer_schema_length=0)
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise Invalid(str(path), f"not a KCS declarations file, missing {missing}")
    return raw.select(
        pl.col(ID),
        pl.col(DATE).str.to_date("%Y-%m-%d"),
        *[pl.col(c).fill_null("") for c in CATEGORICAL],
        *[pl.col(c).cast(pl.Float64) for c in NUMERIC],
        pl.col(LABEL).cast(pl.Int8),
        pl.col(CRITICAL).cast(pl.Int8),
    ).sort([DATE, ID])
