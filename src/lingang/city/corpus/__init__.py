"""The shipped labelled hotline corpus (``hotline-v1.csv``) and how it is built (``build.py``,
``README.md``)."""
