"""Typed stubs of the guidelang package (the compiled `guidelang._guidelang`)."""

import datetime
import os
from typing import Any, Mapping, Optional, Sequence, Union

import pyarrow

_Date = Union[str, datetime.date]
_Json = Any

class GuidelangError(Exception):
    """The base of guidelang's own errors."""

class GuidelineError(GuidelangError):
    """A guideline that does not check; str() shows the diagnostics as the command line does."""

    diagnostics: list[Diagnostic]

class CaseError(GuidelangError):
    """A case (or table rows) that failed validation; nothing was evaluated from it."""

    problems: list[CaseProblem]
    results: pyarrow.Table
    """Only from `evaluate_arrow` with invalid rows: the other rows' results."""

class CohortError(GuidelangError):
    """A table whose columns cannot be read for the guideline; nothing was evaluated."""

    problems: list[CaseProblem]

class Diagnostic:
    """One diagnostic of the checker: what is wrong, where, and how to put it right."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def help(self) -> Optional[str]: ...
    @property
    def file(self) -> Optional[str]: ...
    @property
    def line(self) -> Optional[int]: ...
    @property
    def column(self) -> Optional[int]: ...
    @property
    def rendered(self) -> str: ...

class CaseProblem:
    """One thing wrong with a case (or a table's row)."""

    @property
    def key(self) -> Optional[str]: ...
    @property
    def message(self) -> str: ...
    @property
    def help(self) -> str: ...
    @property
    def row(self) -> Optional[int]: ...

class Fact:
    """A declared fact: its name in cases, its type and valid values."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def unit(self) -> Optional[str]: ...
    @property
    def min(self) -> Optional[float]: ...
    @property
    def max(self) -> Optional[float]: ...
    @property
    def values(self) -> Optional[list[str]]: ...
    @property
    def description(self) -> Optional[str]: ...

class Action:
    """An action the guideline decides."""

    @property
    def name(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def urgent(self) -> bool: ...

class Finding:
    """One lint finding, with the witness case that shows it."""

    @property
    def code(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def help(self) -> Optional[str]: ...
    @property
    def action(self) -> Optional[str]: ...
    @property
    def rules(self) -> list[str]: ...
    @property
    def invariant(self) -> Optional[str]: ...
    @property
    def shows(self) -> Optional[str]: ...
    @property
    def facts(self) -> list[str]: ...
    @property
    def line(self) -> Optional[int]: ...
    @property
    def column(self) -> Optional[int]: ...
    @property
    def witness(self) -> Optional[dict[str, _Json]]: ...

class Guideline:
    """A guideline, parsed, checked and compiled once."""

    @staticmethod
    def load(path: Union[str, os.PathLike[str]]) -> Guideline:
        """Reads, checks and compiles a guideline file; raises GuidelineError or OSError."""
    @staticmethod
    def from_str(text: str, name: str = "<string>") -> Guideline:
        """Checks and compiles a guideline given as text; raises GuidelineError."""
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def facts(self) -> list[Fact]: ...
    @property
    def actions(self) -> list[Action]: ...
    def check(self) -> list[Diagnostic]:
        """The checker's warnings."""
    def lint(self, all_findings: bool = False) -> list[Finding]:
        """The linter's findings."""
    def evaluate(self, case: Mapping[str, _Json], as_of: Optional[_Date] = None) -> dict[str, _Json]:
        """The report of `guidelang eval --format json`; raises CaseError."""
    def evaluate_arrow(
        self,
        data: Union[pyarrow.Table, pyarrow.RecordBatch, pyarrow.RecordBatchReader],
        *,
        columns: Optional[Mapping[str, str]] = None,
        keep: Sequence[str] = (),
        as_of: Optional[_Date] = None,
        first_row: int = 1,
    ) -> pyarrow.Table:
        """One result row per case, in the columnar shape; raises CaseError."""

__all__ = [
    "Action",
    "CaseError",
    "CaseProblem",
    "CohortError",
    "Diagnostic",
    "Fact",
    "Finding",
    "GuidelangError",
    "Guideline",
    "GuidelineError",
]
