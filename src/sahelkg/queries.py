r"""Named SPARQL queries: find them, read their headers, bind parameters, run them.

A named query is a file ``queries/<name>.rq`` whose header lines say what it is::

    #+ summary: French soldiers killed, with rank, unit, date, place and cause
    #+ description: One row per death event whose victim serves in the French armed forces.
    #+ param: lang (string, en) language of the labels
    #+ param: group (iri, https://w3id.org/sahelkg/id/jnim) the armed group

A parameter ``name`` is the SPARQL variable ``?name``. Values are validated, made into RDF
terms, serialised by pyoxigraph, and bound in a ``VALUES`` block placed at the start of the
query's outermost group pattern, so they are in scope for every pattern and filter
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


_TOKEN_RE = re.compile(
    r'''(?P<comment>\#[^\n]*)
      | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'
                   |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
      | (?P<pname>(?:[A-Za-z][\w\-.]*)?:[\w\-.:%]*)
      | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*)
      | (?P<punct>[{}()])
      | (?P<other>\S)
    ''',
    re.VERBOSE | re.DOTALL,
)


QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
SOLUTION_MODIFIERS = ("VALUES", "LIMIT", "OFFSET", "ORDER", "GROUP", "HAVING")


@dataclass
class _Token:
    kind: str
    text: str
    start: int
    end: int


def sparql_tokens(text: str) -> list[_Token]:
    """The tokens of a SPARQL text, comments left out.

    Strings, IRIs and prefixed names are whole tokens, so a '{' inside a string or a keyword as a
    local name (``ex:select``) is never taken for a group or a query form.
    """
    return [_Token(m.lastgroup or "other", m.group(), m.start(), m.end())
            for m in _TOKEN_RE.finditer(text) if m.lastgroup != "comment"]


def matching_brace(tokens: list[_Token], i: int) -> int:
    """The index of the '}' closing the '{' at ``tokens[i]``."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].text == "{":
            depth += 1
        elif tokens[j].text == "}":
            depth -= 1
            if depth == 0:
                return j
    raise UsageError("the query has an unbalanced '{'")


def inject_values(text: str, terms: dict[str, str]) -> str:
    """Bind variables by a one-row ``VALUES`` block at the start of the query's WHERE group.

    ``terms`` maps a variable name (without ``?``) to an RDF term already serialised by pyoxigraph
    (``str(NamedNode(...))``, ``str(Literal(...))``), so a value can never break out of its term.
    The block goes at the start of the outermost WHERE group and of every sub-``SELECT``'s group,
    so ``FILTER``, ``BIND`` and aggregates see the values (a trailing ``VALUES`` clause would join
    only after grouping). A query without a WHERE group (``DESCRIBE ?x``, ``CONSTRUCT WHERE``) gets
    a trailing ``VALUES`` clause, which is then equivalent.

    :raises UsageError: if the query text has unbalanced braces.

    >>> inject_values('CONSTRUCT { ?s ?p "{" } WHERE { ?s ?p ?o }', {"o": "<http://x>"})
    'CONSTRUCT { ?s ?p "{" } WHERE { VALUES (?o) { (<http://x>) } ?s ?p ?o }'
    >>> inject_values('DESCRIBE ?e', {"e": "<http://x>"})
    'DESCRIBE ?e\\nVALUES (?e) { (<http://x>) }'
    """
    if not terms:
        return text
    names = list(terms)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise UsageError(f"not a variable name: {name!r}")
    block = "VALUES (" + " ".join("?" + n for n in names) + ") { (" + " ".join(terms[n] for n in names) + ") }"
    tokens = sparql_tokens(text)
    forms = [i for i, t in enumerate(tokens) if t.kind == "word" and t.text.upper() in QUERY_FORMS]
    short_construct = bool(forms) and tokens[forms[0]].text.upper() == "CONSTRUCT" and \
        forms[0] + 1 < len(tokens) and tokens[forms[0] + 1].text.upper() == "WHERE"
    inserts = [at for i in forms if (at := _where_group(tokens, i)) is not None]
    if short_construct or not inserts:
        # CONSTRUCT WHERE allows triple patterns only, DESCRIBE ?x has no group: bind after the query.
        return text.rstrip() + "\n" + block
    out = text
    for at in sorted(inserts, reverse=True):
        out = out[:at] + " " + block + out[at:]
    return out


def substitute_terms(text: str, terms: dict[str, str]) -> str:
    """Bind variables by writing each term in place of its variable.

    For engines on which a ``VALUES`` or ``BIND`` binding does not reach a ``FILTER`` inside an
    ``OPTIONAL`` (Virtuoso 7 evaluates those filters on the optional group alone). ``terms`` are
    RDF terms already serialised by pyoxigraph, as for :func:`inject_values`, so a value never
    breaks out of its term. ``BOUND(?x)`` becomes ``true``; a projected ``?x`` becomes
    ``(term AS ?x)``; after ``GROUP BY`` the term is parenthesised; a variable after ``AS`` or
    ``VALUES`` is left alone.

    >>> substitute_terms('SELECT ?x ?y WHERE { ?s ?p ?x FILTER(!BOUND(?x) || ?x != "?x") } GROUP BY ?x', {"x": "<http://a>"})
    'SELECT (<http://a> AS ?x) ?y WHERE { ?s ?p <http://a> FILTER(!true || <http://a> != "?x") } GROUP BY (<http://a>)'
    """
    tokens = sparql_tokens(text)
    out: list[str] = []
    last = 0
    projection = group_by = False
    depth = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        word = tok.text.upper() if tok.kind == "word" else ""
        if word == "SELECT":
            projection, depth = True, 0
        elif projection and (tok.text == "{" or word in ("WHERE", "FROM")):
            projection = False
        if word == "BY" and i > 0 and tokens[i - 1].text.upper() == "GROUP":
            group_by = True
        elif group_by and (tok.text in ("{", "}") or word in SOLUTION_MODIFIERS):
            group_by = False
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        name = tok.text[1:]
        previous = tokens[i - 1].text.upper() if i > 0 else ""
        if tok.kind != "var" or name not in terms or previous in ("AS", "VALUES"):
            i += 1
            continue
        term = terms[name]
        if (i >= 2 and previous == "(" and tokens[i - 2].text.upper() == "BOUND"
                and i + 1 < len(tokens) and tokens[i + 1].text == ")"):
            out += [text[last:tokens[i - 2].start], "true"]
            last = tokens[i + 1].end
            depth -= 1
            i += 2
            continue
        if projection and depth == 0:
            replacement = f"({term} AS {tok.text})"
        elif group_by:
            replacement = f"({term})"
        else:
            replacement = term
        out += [text[last:tok.start], replacement]
        last = tok.end
        i += 1
    return "".join(out) + text[last:]


def _where_group(tokens: list[_Token], i: int) -> int | None:
    """The offset just after the '{' of the WHERE group of the query form at ``tokens[i]``, if it has one."""
    j = i + 1
    if tokens[i].text.upper() == "CONSTRUCT" and j < len(tokens) and tokens[j].text == "{":
        j = matching_brace(tokens, j) + 1  # skip the template
    parens = 0  # the group is the first '{' outside parentheses (a projection may hold EXISTS {...})
    for tok in tokens[j:]:
        if tok.text == "(":
            parens += 1
        elif tok.text == ")":
            parens -= 1
        elif parens == 0 and tok.text == "{":
            return tok.end
        elif parens == 0 and (tok.text == "}" or tok.kind == "word" and tok.text.upper() in SOLUTION_MODIFIERS):
            return None
    return None


def query_form(text: str) -> str:
    """The form of a SPARQL query: ``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE`` (or ``""``).

    >>> query_form('PREFIX a: <http://a#> # SELECT\\nconstruct { ?s ?p ?o } WHERE { ?s ?p ?o }')
    'CONSTRUCT'
    """
    for tok in sparql_tokens(text):
        if tok.kind == "word" and tok.text.upper() in QUERY_FORMS:
            return tok.text.upper()
    return ""


# SPARQL 1.1's keywords and built-in function names: a bare word that is none of these is a typo
KEYWORDS = frozenset("""
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE ORDER BY ASC DESC LIMIT
    OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND MINUS FILTER UNION GROUP HAVING EXISTS NOT IN
    LOAD CLEAR DROP CREATE ADD MOVE COPY TO INTO DEFAULT ALL INSERT DELETE DATA WITH USING A TRUE FALSE
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE
    ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS
    TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI
    ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT
    SEPARATOR LANGDIR STRLANGDIR HASLANG HASLANGDIR ISTRIPLE TRIPLE SUBJECT PREDICATE OBJECT
""".split())


def declared_prefixes(text: str) -> set[str]:
    """The prefixes a SPARQL text declares with ``PREFIX p: <...>``."""
    tokens = sparql_tokens(text)
    return {tokens[i + 1].text.split(":", 1)[0] for i in range(len(tokens) - 1)
            if tokens[i].kind == "word" and tokens[i].text.upper() == "PREFIX" and tokens[i + 1].kind == "pname"}


def undeclared_prefixes(text: str) -> list[tuple[str, int]]:
    """Each prefix used in a prefixed name but never declared, with the offset of its first use.

    >>> undeclared_prefixes("PREFIX sk: <x#> SELECT * { ?s sk:a ?o ; rdfs:label ?l }")
    [('rdfs', 40)]
    """
    declared = declared_prefixes(text)
    seen: dict[str, int] = {}
    for tok in sparql_tokens(text):
        if tok.kind == "pname":
            prefix = tok.text.split(":", 1)[0]
            if prefix not in declared:
                seen.setdefault(prefix, tok.start)
    return sorted(seen.items(), key=lambda item: item[1])


def declare_known_prefixes(text: str) -> tuple[str, list[str]]:
    """``text`` with the project's well-known prefixes it uses but leaves undeclared declared.

    The declarations go on the first line, before the text, so that the text's line numbers stay as
    they are (a parser error is reported against the text as written, see :func:`describe_syntax_error`).
    Returns the new text and the prefixes declared.

    >>> declare_known_prefixes("SELECT * { ?s rdfs:label ?l }")
    ('PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT * { ?s rdfs:label ?l }', ['rdfs'])
    """
    from sahelkg.vocab import PREFIXES

    added = [p for p, _ in undeclared_prefixes(text) if p in PREFIXES]
    if not added:
        return text, []
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}> " for p in added) + text, added


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _expected(rest: str) -> str:
    """The parser's "expected ..." list in words: Unicode ranges and internal names left out."""
    if "variable that is unbound" in rest:
        return ("the SELECT names a variable that is neither grouped nor aggregated: add it to GROUP BY "
                "or wrap it in SAMPLE(...)")
    if "IRI parsing failed" in rest:
        return "not a valid absolute IRI (write <http://...>, or declare a BASE)"
    m = re.match(r"expected (?:one of )?(.*)", rest, re.S)
    if not m:
        return rest
    listed = m.group(1)
    items = re.findall(r'"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z_]*', re.sub(r"\[[^\]]*\]", " ", listed))
    words = [i for i in dict.fromkeys(items) if i not in ("u",)]
    functions = [w for w in words if w.upper() in KEYWORDS and w.upper() not in ("BY", "WHERE", "OPTIONAL")]
    if len(functions) >= 4:
        return "expected an expression (a variable, a value, or a function such as STR or COUNT)"
    # the tokens that start a term, said by name
    kinds = {'"?"': "a variable", '"$"': "a variable", '"<"': "an IRI", '":"': "a prefixed name"}
    said = list(dict.fromkeys(kinds.get(w, w) for w in words))
    if "..=" in listed and "a prefixed name" not in said:
        said.append("a prefixed name")
    if not said:
        return "expected a name or a variable"
    if len(said) == 1:
        return f"expected {said[0]}"
    shown = said[:8]
    return "expected " + ", ".join(shown[:-1]) + f" or {shown[-1]}" + (" ..." if len(said) > 8 else "")


def describe_syntax_error(error: SyntaxError, text: str, *, shift: int = 0) -> tuple[int | None, int | None, str]:
    """(line, column, message) of a SPARQL syntax error, said as a person would.

    An undeclared prefix or a misspelt keyword is named (with the declaration to add, or the keyword
    meant) at its own position, instead of the parser's list of what it expected where it stopped.
    ``shift`` is the number of characters put before ``text`` on its first line
    (:func:`declare_known_prefixes`), taken off the parser's column.

    >>> import pyoxigraph
    >>> q = "SELECT * WHERE {\\n  ?s sk:name ?o }"
    >>> try:
    ...     pyoxigraph.Store().query(q)
    ... except SyntaxError as e:
    ...     describe_syntax_error(e, q)
    (2, 6, 'unknown prefix sk: add PREFIX sk: <https://w3id.org/sahelkg/ontology#>')
    """
    from difflib import get_close_matches

    from sahelkg.vocab import PREFIXES

    message = str(error)
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    undeclared = undeclared_prefixes(text)
    if undeclared:
        prefix, offset = undeclared[0]
        fix = (f"add PREFIX {prefix}: <{PREFIXES[prefix]}>" if prefix in PREFIXES
               else f"declare it with PREFIX {prefix}: <...>")
        line, col = _line_col(text, offset)
        return line, col, f"unknown prefix {prefix}: {fix}"
    tokens = sparql_tokens(text)
    for tok in tokens:
        if tok.kind == "other" and tok.text in "\"'":
            line, col = _line_col(text, tok.start)
            return line, col, f"a string opened here with {tok.text} is not closed"
    for tok in tokens:
        if tok.kind == "word" and tok.text.upper() not in KEYWORDS:
            near = get_close_matches(tok.text.upper(), KEYWORDS, n=1, cutoff=0.75)
            line, col = _line_col(text, tok.start)
            hint = f": did you mean {near[0]}?" if near else " (a name needs a prefix, e.g. sk:name, or <...>)"
            return line, col, f"{tok.text!r} is not a SPARQL keyword{hint}"
    if not m:
        return None, None, message
    line, col = int(m.group(1)), int(m.group(2))
    if line == 1:
        col = max(1, col - shift)
    said = _expected(m.group(3))
    for opening, closing in ("{}", "()"):
        if sum(t.text == opening for t in tokens) > sum(t.text == closing for t in tokens):
            said += f" (a closing '{closing}' is missing)"
    return line, col, said


def syntax_error_message(error: SyntaxError, where: str, text: str = "", *, shift: int = 0) -> str:
    """``where:line:column: malformed SPARQL: what is wrong``, the line quoted with a caret under the column."""
    line, col, said = describe_syntax_error(error, text, shift=shift)
    if line is None:
        return f"{where}: malformed SPARQL: {said}"
    return f"{where}:{line}:{col}: malformed SPARQL: {said}" + quote_line(text, line, col or 1)


def quote_line(text: str, line: int, col: int) -> str:
    """The ``line`` of ``text`` and a caret under ``col``, on two lines after a newline ('' past the end)."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    source = lines[line - 1]
    return f"\n{source}\n{' ' * max(0, min(col - 1, len(source)))}^"


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
