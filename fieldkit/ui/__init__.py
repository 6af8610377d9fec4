"""The PySide6 desktop application. Imports the core; the core never imports this."""
