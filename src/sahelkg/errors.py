"""The exception hierarchy: one root, a subclass per kind of failure.

The CLI turns a :class:`SahelKGError` into a clean message and an exit code; any
other exception reaching the user is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


class SahelKGError(Exception):
    """Root of every error the library raises on purpose."""

    exit_code = 1


class UsageError(SahelKGError):
    """The caller asked for something that cannot be done as asked (bad option, unknown name)."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem found in an input, located as precisely as possible.

    >>> str(Problem("corpus/annotations/001.yaml", 42, 'event e3: quote "x" not found in the article text'))
    'corpus/annotations/001.yaml:42: event e3: quote "x" not found in the article text'
    """

    file: str
    line: int | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class ValidationError(SahelKGError):
    """The input (corpus, ontology, graph) has problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem], what: str = "input") -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        lines = "\n".join(str(p) for p in errors)
        super().__init__(f"{len(errors)} error(s) in the {what}:\n{lines}")


class CorpusError(ValidationError):
    """The corpus (articles, annotations, registry) does not validate."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems, "corpus")


class OntologyError(ValidationError):
    """The ontology does not parse, is inconsistent, or breaks a health rule."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems, "ontology")


class GraphError(ValidationError):
    """The built graph violates the SHACL shapes or a health-check query."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems, "graph")


class StoreError(SahelKGError):
    """The store cannot be opened, read or written."""


class QueryError(SahelKGError):
    """A SPARQL query is malformed or failed; the message carries line and column when known."""


class TooLarge(SahelKGError):
    """Something outgrew a size limit: a query result past the endpoint's byte limit, a request
    a SPARQL server refused with HTTP 413. Whoever set the limit catches it and asks for less."""


class BuildInterrupted(SahelKGError):
    """The build was interrupted; the previous store was left intact."""

    exit_code = 130


class WatchError(SahelKGError):
    """The corpus watcher cannot run (another one runs for the store, no inotify, no corpus folder)."""
