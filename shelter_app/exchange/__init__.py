"""Moving case data in and out: CSV/XLSX import and export with the same columns."""
