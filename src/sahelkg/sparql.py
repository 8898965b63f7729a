r"""SPARQL as text: one lexer, and what is done with it (keywords, value binding, syntax errors).

pyoxigraph does not expose its parser, so whatever the library needs to know about a query or
an update before it runs (its form, its keywords, where its WHERE group starts) or to change in
its text (bind a value, add a ``USING`` clause, a ``BASE``) goes through :func:`tokens`. Its
string, IRI and comment rules are the grammar's, so a ``{`` inside a string, a keyword in an IRI
or a comment, or a keyword as a local name (``ex:select``) is never taken for syntax.

* the lexer: :func:`tokens`, :func:`keywords`, :func:`matching_brace`, :func:`query_form`;
* what a request may do: :func:`uses_network`, :func:`has_dataset_clause`;
* changing the text: :func:`inject_values` and :func:`substitute_terms` (bind RDF terms already
  serialised by pyoxigraph, so a value never breaks out of its term), :func:`add_using`,
  :func:`with_base`, :func:`declare_known_prefixes`, :func:`map_strings`, :func:`first_group`;
* a parser error said as a person would: :func:`describe_syntax_error`, :func:`syntax_error_message`,
  :func:`quote_line`.

>>> [t.kind for t in tokens('SELECT ?s { ?s ex:p "{" } # {')]
['word', 'var', 'punct', 'var', 'pname', 'string', 'punct']
>>> uses_network("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
True
>>> uses_network('SELECT * { ?s ?p "SERVICE <http://example.org/sparql>" } # SERVICE')
False
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from typing import NamedTuple

from sahelkg.errors import QueryError, UsageError
from sahelkg.vocab import PREFIXES

# --------------------------------------------------------------------------- the lexer

# Where the lexer and the parser could disagree, the lexer errs towards seeing keywords: text it
# cannot read as a string or an IRI it reads as code, and the network check (uses_network) also
# scans the text with its \u escapes decoded. A false alarm refuses a query; a miss would let it
# reach the network.
_PN_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN_RE = re.compile(
    "|".join(
        [
            r"(?P<ws>\s+)",
            r"(?P<comment>#[^\r\n]*)",
            r'(?P<string>"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
            r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
            r'|"(?:[^"\\\r\n]|\\.)*"'
            r"|'(?:[^'\\\r\n]|\\.)*')",
            r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)",
            r"(?P<var>[?$]\w+)",
            r"(?P<bnode>_:[\w.\-]*)",
            r"(?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w.\-:%]|" + _PN_LOCAL_ESC + r")*)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_\-]*)",
            r"(?P<punct>[{}()])",
            r"(?P<other>.)",
        ]
    ),
    re.S,
)
_UNICODE_ESCAPE_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
SOLUTION_MODIFIERS = ("VALUES", "LIMIT", "OFFSET", "ORDER", "GROUP", "HAVING")
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


class Token(NamedTuple):
    """One token of a SPARQL text: its kind (``word``, ``var``, ``iri``, ``pname``, ``bnode``,
    ``string``, ``punct`` for ``{}()``, ``other``), its text and where it is."""

    kind: str
    text: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """The tokens of a SPARQL text, whitespace and comments left out.

    Strings, IRIs and prefixed names are whole tokens, so a '{' inside a string or a keyword as a
    local name (``ex:select``) is never taken for a group or a query form.

    >>> [t.text for t in tokens("SELECT ?x { ?x a <http://x/C> ; ex:p '{' } # }")]
    ['SELECT', '?x', '{', '?x', 'a', '<http://x/C>', ';', 'ex:p', "'{'", '}']
    """
    return [Token(kind, m.group(), m.start(), m.end())
            for m in _TOKEN_RE.finditer(text) if (kind := m.lastgroup or "other") not in ("ws", "comment")]


def matching_brace(toks: Sequence[Token], i: int) -> int:
    """The index of the '}' closing the '{' at ``toks[i]``.

    :raises UsageError: if it is never closed.
    """
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text == "{":
            depth += 1
        elif toks[j].text == "}":
            depth -= 1
            if depth == 0:
                return j
    raise UsageError("the query has an unbalanced '{'")


def first_group(text: str) -> tuple[int, int] | None:
    """The offsets of the first ``{`` of ``text`` and of the ``}`` that closes it (None: no group, or unclosed).

    >>> first_group('PREFIX a: <x#> SELECT * WHERE { ?s a:p "}" { } }')
    (30, 47)
    """
    toks = tokens(text)
    i = next((k for k, t in enumerate(toks) if t.text == "{"), None)
    if i is None:
        return None
    try:
        return toks[i].start, toks[matching_brace(toks, i)].start
    except UsageError:
        return None


def map_strings(text: str, change: Callable[[str], str]) -> str:
    """``text`` with each string literal (quotes included) replaced by ``change(literal)``.

    >>> map_strings('SELECT ("a" AS ?x) { ?s ?p \\'b\\' } # "c"', str.upper)
    'SELECT ("A" AS ?x) { ?s ?p \\'B\\' } # "c"'
    """
    out, last = [], 0
    for t in tokens(text):
        if t.kind == "string":
            out += [text[last:t.start], change(t.text)]
            last = t.end
    return "".join(out) + text[last:]


@dataclass(frozen=True)
class Keyword:
    """A keyword of a query or update, with where it starts and how deep in ``{ }`` it is."""

    word: str  # upper case
    start: int
    depth: int


def keywords(text: str) -> list[Keyword]:
    """The keywords of ``text``: bare words outside strings, IRIs, comments, names and variables.

    >>> [k.word for k in keywords('SELECT ?from { ?s <http://x/FROM> "FROM" } # FROM')]
    ['SELECT']
    """
    found, depth = [], 0
    for m in _TOKEN_RE.finditer(text):  # not through tokens(): this runs on every request's text
        kind = m.lastgroup
        if kind == "word":
            found.append(Keyword(m.group().upper(), m.start(), depth))
        elif kind == "punct":
            brace = m.group()
            if brace == "{":
                depth += 1
            elif brace == "}":
                depth = max(0, depth - 1)
    return found


def query_form(text: str) -> str:
    """The form of a SPARQL query: ``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE`` (or ``""``).

    >>> query_form('PREFIX a: <http://a#> # SELECT\\nconstruct { ?s ?p ?o } WHERE { ?s ?p ?o }')
    'CONSTRUCT'
    """
    for tok in tokens(text):
        if tok.kind == "word" and tok.text.upper() in QUERY_FORMS:
            return tok.text.upper()
    return ""


# --------------------------------------------------------------------------- what a request may do

def _decode_escapes(text: str) -> str:
    def char(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:
            return m.group()

    return _UNICODE_ESCAPE_RE.sub(char, text)


def uses_network(text: str, *, update: bool = False, found: list[Keyword] | None = None) -> bool:
    """True if ``text`` may contain a ``SERVICE`` (or, in an update, ``LOAD``) operation.

    Conservative: a keyword found in the text or in the text with its ``\\u`` escapes decoded counts.
    ``found`` is ``keywords(text)`` if the caller has it already.
    """
    words = {"SERVICE", "LOAD"} if update else {"SERVICE"}
    lowered = text.lower()
    escaped = "\\u" in lowered
    if not escaped and not any(w.lower() in lowered for w in words):
        return False  # the keyword is nowhere in the text, not even in a string
    if any(k.word in words for k in (found if found is not None else keywords(text))):
        return True
    if escaped:
        return any(k.word in words for k in keywords(_decode_escapes(text)))
    return False


def has_dataset_clause(query: str, found: list[Keyword] | None = None) -> bool:
    """True if the query names its own dataset with ``FROM`` or ``FROM NAMED``."""
    if "from" not in query.lower():
        return False
    return any(k.word == "FROM" for k in (found if found is not None else keywords(query)))


# --------------------------------------------------------------------------- changing the text

def add_using(update: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """The update with ``USING``/``USING NAMED`` clauses for the protocol's ``using-graph-uri`` and
    ``using-named-graph-uri`` inserted before the ``WHERE`` of every DELETE/INSERT operation.

    :raises QueryError: if the update has its own ``USING`` or ``WITH`` clause.

    >>> add_using("INSERT { ?s a <http://x/C> } WHERE { ?s ?p ?o }", ["http://g"], [])
    'INSERT { ?s a <http://x/C> } USING <http://g> WHERE { ?s ?p ?o }'
    """
    if not using and not using_named:
        return update
    found = keywords(update)
    if any(k.depth == 0 and k.word in ("USING", "WITH") for k in found):
        raise QueryError(
            "the update has a USING or WITH clause and the request gives using-graph-uri or "
            "using-named-graph-uri: the SPARQL protocol forbids both at once"
        )
    clause = "".join(f"USING <{g}> " for g in using) + "".join(f"USING NAMED <{g}> " for g in using_named)
    out, last, previous = [], 0, None
    for k in found:
        if k.depth == 0 and k.word == "WHERE" and previous != "DELETE":
            out.append(update[last : k.start])
            out.append(clause)
            last = k.start
        previous = k.word if k.depth == 0 else previous
    out.append(update[last:])
    return "".join(out)


def with_base(text: str, base_iri: str | None) -> str:
    """``text`` with ``BASE <base_iri>`` on a line before it, unless it declares its own ``BASE`` (or no IRI is given).

    >>> with_base("SELECT * { <a> ?p ?o }", "http://x/")
    'BASE <http://x/>\\nSELECT * { <a> ?p ?o }'
    >>> with_base("base <http://y/> SELECT * { <a> ?p ?o }", "http://x/")
    'base <http://y/> SELECT * { <a> ?p ?o }'
    """
    if not base_iri or any(k.word == "BASE" and k.depth == 0 for k in keywords(text)):
        return text
    return f"BASE <{base_iri}>\n{text}"


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
    toks = tokens(text)
    forms = [i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() in QUERY_FORMS]
    short_construct = bool(forms) and toks[forms[0]].text.upper() == "CONSTRUCT" and \
        forms[0] + 1 < len(toks) and toks[forms[0] + 1].text.upper() == "WHERE"
    inserts = [at for i in forms if (at := _where_group(toks, i)) is not None]
    if short_construct or not inserts:
        # CONSTRUCT WHERE allows triple patterns only, DESCRIBE ?x has no group: bind after the query.
        return text.rstrip() + "\n" + block
    out = text
    for at in sorted(inserts, reverse=True):
        out = out[:at] + " " + block + out[at:]
    return out


def _where_group(toks: list[Token], i: int) -> int | None:
    """The offset just after the '{' of the WHERE group of the query form at ``toks[i]``, if it has one."""
    j = i + 1
    if toks[i].text.upper() == "CONSTRUCT" and j < len(toks) and toks[j].text == "{":
        j = matching_brace(toks, j) + 1  # skip the template
    parens = 0  # the group is the first '{' outside parentheses (a projection may hold EXISTS {...})
    for tok in toks[j:]:
        if tok.text == "(":
            parens += 1
        elif tok.text == ")":
            parens -= 1
        elif parens == 0 and tok.text == "{":
            return tok.end
        elif parens == 0 and (tok.text == "}" or tok.kind == "word" and tok.text.upper() in SOLUTION_MODIFIERS):
            return None
    return None


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
    toks = tokens(text)
    out: list[str] = []
    last = 0
    projection = group_by = False
    depth = 0
    i = 0
    while i < len(toks):
        tok = toks[i]
        word = tok.text.upper() if tok.kind == "word" else ""
        if word == "SELECT":
            projection, depth = True, 0
        elif projection and (tok.text == "{" or word in ("WHERE", "FROM")):
            projection = False
        if word == "BY" and i > 0 and toks[i - 1].text.upper() == "GROUP":
            group_by = True
        elif group_by and (tok.text in ("{", "}") or word in SOLUTION_MODIFIERS):
            group_by = False
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        name = tok.text[1:]
        previous = toks[i - 1].text.upper() if i > 0 else ""
        if tok.kind != "var" or name not in terms or previous in ("AS", "VALUES"):
            i += 1
            continue
        term = terms[name]
        if (i >= 2 and previous == "(" and toks[i - 2].text.upper() == "BOUND"
                and i + 1 < len(toks) and toks[i + 1].text == ")"):
            out += [text[last:toks[i - 2].start], "true"]
            last = toks[i + 1].end
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


def declared_prefixes(text: str) -> set[str]:
    """The prefixes a SPARQL text declares with ``PREFIX p: <...>``."""
    toks = tokens(text)
    return {toks[i + 1].text.split(":", 1)[0] for i in range(len(toks) - 1)
            if toks[i].kind == "word" and toks[i].text.upper() == "PREFIX" and toks[i + 1].kind == "pname"}


def undeclared_prefixes(text: str) -> list[tuple[str, int]]:
    """Each prefix used in a prefixed name but never declared, with the offset of its first use.

    >>> undeclared_prefixes("PREFIX sk: <x#> SELECT * { ?s sk:a ?o ; rdfs:label ?l }")
    [('rdfs', 40)]
    """
    declared = declared_prefixes(text)
    seen: dict[str, int] = {}
    for tok in tokens(text):
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
    added = [p for p, _ in undeclared_prefixes(text) if p in PREFIXES]
    if not added:
        return text, []
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}> " for p in added) + text, added


# --------------------------------------------------------------------------- syntax errors

_POSITION_RE = re.compile(r"error at (\d+):(\d+): (.*)", re.S)


def parser_position(error: SyntaxError) -> tuple[int, int, str] | None:
    """(line, column, what the parser says) of a pyoxigraph parse error, None if it gives no position.

    >>> parser_position(SyntaxError("error at 2:7: expected '}'"))
    (2, 7, "expected '}'")
    """
    m = _POSITION_RE.match(str(error))
    return (int(m.group(1)), int(m.group(2)), m.group(3)) if m else None


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
    undeclared = undeclared_prefixes(text)
    if undeclared:
        prefix, offset = undeclared[0]
        fix = (f"add PREFIX {prefix}: <{PREFIXES[prefix]}>" if prefix in PREFIXES
               else f"declare it with PREFIX {prefix}: <...>")
        line, col = _line_col(text, offset)
        return line, col, f"unknown prefix {prefix}: {fix}"
    toks = tokens(text)
    for tok in toks:
        if tok.kind == "other" and tok.text in "\"'":
            line, col = _line_col(text, tok.start)
            return line, col, f"a string opened here with {tok.text} is not closed"
    for tok in toks:
        if tok.kind == "word" and tok.text.upper() not in KEYWORDS:
            near = get_close_matches(tok.text.upper(), KEYWORDS, n=1, cutoff=0.75)
            line, col = _line_col(text, tok.start)
            hint = f": did you mean {near[0]}?" if near else " (a name needs a prefix, e.g. sk:name, or <...>)"
            return line, col, f"{tok.text!r} is not a SPARQL keyword{hint}"
    position = parser_position(error)
    if position is None:
        return None, None, str(error)
    line, col, rest = position
    if line == 1:
        col = max(1, col - shift)
    said = _expected(rest)
    for opening, closing in ("{}", "()"):
        if sum(t.text == opening for t in toks) > sum(t.text == closing for t in toks):
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
