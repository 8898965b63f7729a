r"""Named SPARQL queries: find them, read their headers, bind parameters, run them.

A named query is a file ``queries/<name>.rq`` whose header lines say what it is::

    #+ summary: French soldiers killed, with rank, unit, date, place and cause
    #+ description: One row per death event whose victim serves in the French armed forces.
    #+ param: lang (string, en) language of the labels
    #+ param: group (iri, https://w3id.org/sahelkg/id/jnim) the armed group

A parameter ``name`` is the SPARQL variable ``?name``. Values are validated, made into RDF
terms, serialised by pyoxigraph, and bound in a ``VALUES`` block placed at the start of the
query's outermost group pattern (:func:`sahelkg.sparql.inject_values`), so they are in scope for every pattern and filter
(pyoxigraph's ``substitutions`` cannot do that: it binds only projected variables). User
text is never formatted into the query.

>>> q = parse_query_text("x", "#+ summary: s\n#+ param: n (integer, 3) how many\nSELECT ?n {}")
>>> q.params[0]
QueryParam(name='n', type='integer', default='3', description='how many')
>>> b = bind_params(q, {"n": "5"}); b
{<Variable value=n>: <Literal value=5 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>}
>>> inject_values("SELECT ?n # {\nWHERE { ?s ?p ?n }", {"n": str(b[pyoxigraph.Variable("n")])})
'SELECT ?n # {\nWHERE { VALUES (?n) { ("5"^^<http://www.w3.org/2001/XMLSchema#integer>) } ?s ?p ?n }'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from sahelkg.errors import QueryError, UsageError
from sahelkg.sparql import inject_values, syntax_error_message
from sahelkg.vocab import XSD

if TYPE_CHECKING:
    from sahelkg.store.protocol import Store

HEADER_RE = re.compile(r"^#\+\s*(?P<key>[a-z_]+)\s*:\s*(?P<value>.*?)\s*$")
PARAM_RE = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z]+)\s*(?:,\s*(?P<default>[^)]*?))?\s*\)\s*(?P<desc>.*)$"
)
PARAM_TYPES = ("string", "iri", "integer", "decimal", "date", "datetime", "lang", "boolean")


@dataclass(frozen=True)
class QueryParam:
    """One declared parameter of a named query."""

    name: str
    type: str
    default: str | None
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A query file with its header."""

    name: str
    summary: str
    description: str
    params: tuple[QueryParam, ...]
    text: str
    path: Path | None = None

    def param(self, name: str) -> QueryParam | None:
        return next((p for p in self.params if p.name == name), None)


def parse_query_text(name: str, text: str, path: Path | None = None) -> NamedQuery:
    """Read the ``#+`` header of a query text.

    :raises QueryError: on a malformed ``#+ param:`` line or an unknown parameter type.
    """
    summary, description, params = "", "", []
    where = str(path) if path else name
    for lineno, line in enumerate(text.splitlines(), 1):
        m = HEADER_RE.match(line)
        if not m:
            continue
        key, value = m.group("key"), m.group("value")
        if key == "summary":
            summary = value
        elif key == "description":
            description = (description + " " + value).strip()
        elif key == "param":
            pm = PARAM_RE.match(value)
            if not pm or pm.group("type") not in PARAM_TYPES:
                raise QueryError(
                    f"{where}:{lineno}: malformed parameter {value!r}; write "
                    f"'#+ param: name (type, default) description' with type one of {', '.join(PARAM_TYPES)}"
                )
            default = pm.group("default")
            params.append(QueryParam(pm.group("name"), pm.group("type"), default or None, pm.group("desc")))
    return NamedQuery(name, summary, description, tuple(params), text, path)


def list_queries(queries_dir: Path) -> list[NamedQuery]:
    """Every named query in ``queries_dir`` (not its ``checks/`` subfolder), sorted by name."""
    return [load_query_file(p) for p in sorted(Path(queries_dir).glob("*.rq"))]


def list_checks(queries_dir: Path) -> list[NamedQuery]:
    """The health checks ``queries_dir/checks/*-violation.rq`` (each must return no rows)."""
    return [load_query_file(p) for p in sorted((Path(queries_dir) / "checks").glob("*-violation.rq"))]


def load_query_file(path: Path) -> NamedQuery:
    """Read one query file."""
    return parse_query_text(path.stem, path.read_text(encoding="utf-8"), path)


def find_query(queries_dir: Path, name: str) -> NamedQuery:
    """The named query ``name``.

    :raises UsageError: if there is no such query (the message lists the known names).
    """
    path = Path(queries_dir) / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(q.name for q in list_queries(queries_dir))
        raise UsageError(f"no query named {name!r} in {queries_dir}; known queries: {known}")
    return load_query_file(path)


def _term(param: QueryParam, value: str) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
    kind = param.type
    try:
        if kind == "iri":
            if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
                raise ValueError("an IRI must be absolute, e.g. https://w3id.org/sahelkg/id/jnim")
            return pyoxigraph.NamedNode(value)
        if kind == "integer":
            return pyoxigraph.Literal(str(int(value)), datatype=pyoxigraph.NamedNode(XSD.integer))
        if kind == "decimal":
            float(value)
            return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD.decimal))
        if kind == "boolean":
            if value not in ("true", "false"):
                raise ValueError("write true or false")
            return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD.boolean))
        if kind in ("date", "datetime"):
            if not re.match(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$", value):
                raise ValueError("write YYYY-MM-DD")
            if kind == "date" or "T" not in value:
                value = value[:10] + "T00:00:00"
            return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD.dateTime))
        if kind == "lang":
            if not re.match(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)*$", value):
                raise ValueError("write a language tag such as en or fr")
            return pyoxigraph.Literal(value)
        return pyoxigraph.Literal(value)
    except ValueError as e:
        raise UsageError(f"parameter {param.name}={value!r}: not a valid {kind}: {e}") from e


def bind_params(query: NamedQuery, given: dict[str, str], lang: str | None = None) -> dict[pyoxigraph.Variable, object]:
    """The substitutions for ``query``: defaults, then ``given``, then ``lang`` for ``?lang``.

    :raises UsageError: for a parameter the query does not declare, or a value of the wrong type.
    """
    unknown = sorted(set(given) - {p.name for p in query.params})
    if unknown:
        declared = ", ".join(p.name for p in query.params) or "none"
        raise UsageError(f"query {query.name!r} has no parameter {unknown[0]!r} (its parameters: {declared})")
    values: dict[str, str] = {p.name: p.default for p in query.params if p.default is not None}
    if lang is not None and query.param("lang") is not None:
        values["lang"] = lang
    values.update(given)
    return {pyoxigraph.Variable(name): _term(query.param(name), v) for name, v in values.items()}  # type: ignore[arg-type]


# --------------------------------------------------------------------------- running and rendering

FORMATS = ("table", "csv", "tsv", "json", "jsonl", "md")


@dataclass(frozen=True)
class ResultTable:
    """SELECT results as plain values: IRIs and literal lexical forms, None for unbound."""

    variables: tuple[str, ...]
    rows: tuple[tuple[object | None, ...], ...]


def run_select(store: Store, text: str, substitutions: dict[pyoxigraph.Variable, object] | None = None,
               where: str = "query", *, shift: int = 0) -> ResultTable:
    """Run a SELECT over the union of all graphs.

    :param shift: characters put before the query as written on its first line (declared prefixes),
        so that an error's column is the one in the text as written.
    :raises QueryError: malformed query (with line and column) or a query that is not a SELECT.
    """
    try:
        terms = {var.value: str(term) for var, term in (substitutions or {}).items()}
        if isinstance(store, pyoxigraph.Store):
            result = store.query(inject_values(text, terms), use_default_graph_as_union=True)
        else:  # a RemoteStore binds parameters the way its server needs (sahelkg.store.remote.Profile.bind)
            result = store.query(text, use_default_graph_as_union=True, substitutions=substitutions)
    except SyntaxError as e:
        raise QueryError(syntax_error_message(e, where, text[shift:], shift=shift)) from e
    except OSError as e:
        raise QueryError(f"{where}: the query failed: {e}") from e
    if not isinstance(result, pyoxigraph.QuerySolutions):
        raise QueryError(f"{where}: only SELECT queries can be shown as a table; use the endpoint for ASK, CONSTRUCT, DESCRIBE")
    variables = tuple(v.value for v in result.variables)
    rows = tuple(tuple(sol[v] for v in variables) for sol in result)
    return ResultTable(variables, rows)  # type: ignore[arg-type]


def term_value(term: object | None) -> str:
    """The plain text of a term: an IRI's IRI, a literal's lexical form, '' for unbound."""
    if term is None:
        return ""
    return str(getattr(term, "value", term))


def term_json(term: object | None) -> object:
    """A JSON value for a term: numbers and booleans as such, everything else as text."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.Literal):
        dt = term.datatype.value
        if dt in (XSD.integer, XSD.nonNegativeInteger):
            return int(term.value)
        if dt == XSD.decimal:
            return float(term.value)
        if dt == XSD.boolean:
            return term.value == "true"
    return term_value(term)


def labels_for(store: Store, iris: set[str], lang: str) -> dict[str, str]:
    """rdfs:label of each IRI in ``lang`` (else English, else any), for table display."""
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(iris))
    q = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?x ?l WHERE { VALUES ?x { " + values + " } VALUES ?lang { " + str(pyoxigraph.Literal(lang)) + " } ?x rdfs:label ?l . "
        "BIND(IF(LANGMATCHES(LANG(?l), ?lang), 0, IF(LANGMATCHES(LANG(?l), \"en\"), 1, 2)) AS ?rank) } ORDER BY ?x ?rank"
    )
    out: dict[str, str] = {}
    for sol in store.query(q, use_default_graph_as_union=True):
        out.setdefault(sol["x"].value, sol["l"].value)
    return out


def render(table: ResultTable, fmt: str, labels: dict[str, str] | None = None) -> str:
    """Render results; ``table`` and ``md`` show labels for IRIs, the other formats keep IRIs."""
    import csv
    import io
    import json

    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    labels = labels or {}

    def shown(term: object | None) -> str:
        if isinstance(term, pyoxigraph.NamedNode):
            return labels.get(term.value, term.value)
        return term_value(term)

    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(table.variables)
        for row in table.rows:
            writer.writerow([term_value(t) for t in row])
        return buf.getvalue()
    if fmt == "json":
        return json.dumps([dict(zip(table.variables, map(term_json, row))) for row in table.rows], ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(dict(zip(table.variables, map(term_json, row))), ensure_ascii=False) + "\n" for row in table.rows)
    cells = [[shown(t) for t in row] for row in table.rows]
    if fmt == "md":
        def esc(s: str) -> str:
            return s.replace("|", "\\|").replace("\n", " ")
        lines = ["| " + " | ".join(table.variables) + " |", "|" + "---|" * len(table.variables)]
        lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in cells]
        return "\n".join(lines) + "\n"
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(table.variables)]
    widths = [min(w, 60) for w in widths]

    def line(values: list[str]) -> str:
        return "  ".join((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(list(table.variables)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"
