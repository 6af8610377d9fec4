"""Client reports: the report data, the PDF renderers and the table exports (no Qt here)."""
