"""reviewlint: a code-review checklist linter for Python.

The public API for rule authors lives in :mod:`reviewlint.rule` (``Rule``, ``Severity``,
``Viewpoint``, ``Option``, ``Valid``, ``Invalid``, ``Fix``) and :mod:`reviewlint.testing`;
for tools, in :mod:`reviewlint.api` (``check_paths``, ``check_source``).
"""

__version__ = "0.1.0"

from reviewlint.rule import Finding, Fix, Invalid, Option, Rule, Severity, Valid, Viewpoint  # noqa: E402

__all__ = ["__version__", "Finding", "Fix", "Invalid", "Option", "Rule", "Severity", "Valid", "Viewpoint"]
