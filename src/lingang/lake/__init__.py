"""The zone data lake (综合信息数据湖): Parquet datasets in a catalog, read with DuckDB."""
