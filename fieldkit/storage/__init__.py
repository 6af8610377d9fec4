"""The study file: connection, pragmas, the in-use lock, schema and migrations."""
