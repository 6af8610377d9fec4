"""fieldkit: offline research by interview.

The core (this package and ``fieldkit.storage``) owns the study file and every rule;
it never imports Qt. The desktop application lives in ``fieldkit.ui``.
"""

__version__ = "0.1.0"
