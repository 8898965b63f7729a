"""SHACL validation of the built graph, with violations traced back to the article and quote.

The data validated is the graphs a build wrote (all of them for a full build; the changed
article graphs plus the registry for an incremental one), together with their inferred
graphs, so that ``sh:targetClass sk:Event`` finds a ``sk:Death`` through its inferred type.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyoxigraph
import rdflib
from rdflib.namespace import SH

from sahelkg.errors import Problem
from sahelkg.settings import Settings
from sahelkg.vocab import OA


def _dataset_nquads(store: pyoxigraph.Store, graphs: list[str] | None, settings: Settings) -> bytes:
    graph_base = settings.graph_base
    if graphs is None:
        names = [g for g in store.named_graphs() if not g.value.startswith(graph_base + "ontology")]
    else:
        wanted = set()
        for g in graphs:
            name = g.strip("<>")
            wanted.add(name)
            wanted.add(name.replace(graph_base, graph_base + "inferred/", 1))
        wanted |= {graph_base + "registry", graph_base + "inferred/registry", graph_base + "inferred/closure"}
        names = [pyoxigraph.NamedNode(n) for n in sorted(wanted)]
    out = []
    for g in names:
        if store.contains_named_graph(g):
            out.append(store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=g))
    return b"".join(out)


def locate(store: pyoxigraph.Store, focus: str, settings: Settings) -> tuple[str, str]:
    """``(file, description)`` of a focus node: its annotation file and the fact's quote."""
    m = re.match(re.escape(settings.id_base) + r"(?:article/)?([A-Za-z0-9_-]+)(?:/([a-z][a-z0-9_-]*))?", focus)
    if not m:
        return "graph", f"<{focus}>"
    article_id, fact_id = m.group(1), m.group(2)
    file = str(settings.corpus_dir / "annotations" / f"{article_id}.yaml")
    if "/article/" not in focus and fact_id is None:
        return str(settings.corpus_dir / "registry"), f"entity {article_id}"
    if fact_id is None:
        return file, f"article {article_id}"
    ann = f"{settings.id_base}{article_id}/{fact_id}/annotation"
    rows = list(store.query(
        "SELECT ?q WHERE { ?ann <%s> ?t . ?t <%s> ?s . ?s <%s> ?q }" % (OA.hasTarget, OA.hasSelector, OA.exact),
        substitutions={pyoxigraph.Variable("ann"): pyoxigraph.NamedNode(ann)},
        use_default_graph_as_union=True,
    ))
    quote = rows[0]["q"].value if rows else None
    shown = f' (quote "{quote[:80]}")' if quote else ""
    return file, f"{fact_id}{shown}"


def validate_graphs(store: pyoxigraph.Store, shapes_file: Path, graphs: list[str] | None,
                    settings: Settings) -> list[Problem]:
    """SHACL violations of the given graphs (``None``: all of them) as located Problems."""
    import pyshacl

    data = rdflib.Graph()
    data.parse(data=_dataset_nquads(store, graphs, settings), format="nt")
    shapes = rdflib.Graph().parse(shapes_file, format="turtle")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    if conforms:
        return []
    problems = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        focus = str(report.value(result, SH.focusNode))
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        file, where = locate(store, focus, settings)
        text = f"{where}: {message}"
        if path is not None:
            text += f" (path {_short(path)})"
        if value is not None:
            text += f" (value {_short(value)})"
        problems.append(Problem(file, None, text, "error" if severity == SH.Violation else "warning"))
    return sorted(problems, key=lambda p: (p.file, p.message))


def _short(term: Any) -> str:
    s = str(term)
    return s.rsplit("#", 1)[-1] if "#" in s else s
