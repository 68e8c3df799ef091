"""guidelang: clinical guidelines as checked, evaluable rules.

Load a guideline once, then evaluate cases (a dict of facts) or whole Arrow
tables with it::

    import guidelang
    g = guidelang.Guideline.load("guidelines/als-hyperleukocytosis.gl")
    report = g.evaluate({"als": True, "wbc": 150}, as_of="2026-12-01")

Every report names the guideline's id, version and content hash. A guideline
that does not check raises GuidelineError; an invalid case raises CaseError.
"""

from ._guidelang import (
    Action,
    CaseError,
    CaseProblem,
    Diagnostic,
    Fact,
    Finding,
    GuidelangError,
    Guideline,
    GuidelineError,
)

__all__ = [
    "Action",
    "CaseError",
    "CaseProblem",
    "Diagnostic",
    "Fact",
    "Finding",
    "GuidelangError",
    "Guideline",
    "GuidelineError",
]
