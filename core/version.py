"""The single place the version lives (pyproject reads the same number)."""

__version__ = "0.1.0"
