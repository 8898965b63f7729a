"""`sahelkg check`: the ontology, the corpus and the built graph, each as a list of problems."""

from __future__ import annotations

from sahelkg.errors import Problem, SahelKGError
from sahelkg.settings import Settings


def check_graph(settings: Settings) -> list[Problem]:
    """SHACL over every graph, then each health check query (``*-violation.rq`` must return nothing)."""
    from sahelkg.corpus.lint import fact_line
    from sahelkg.queries import list_checks, run_select, term_value
    from sahelkg.graph.shacl import locate, validate_graphs
    from sahelkg.store import locate as locate_store

    location = locate_store(settings.store)
    store = location.open()
    problems: list[Problem] = []
    if location.changed_since_build():
        problems.append(Problem(location.name, None,
                                "the store was changed after `sahelkg build` made it (written over HTTP with a write "
                                "token, or opened for writing): it is no longer the corpus's graph, and those changes "
                                "are not in the corpus; the next `sahelkg build` rebuilds it from the corpus"))
    problems += validate_graphs(store, settings.shapes_file, None, settings)
    for check in list_checks(settings.queries_dir):
        table = run_select(store, check.text, None, str(check.path))
        for row in table.rows:
            values = dict(zip(table.variables, row))
            focus = term_value(values.get("focus")) or term_value(row[0])
            file, where = locate(store, focus, settings)
            detail = ", ".join(f"{k}={term_value(v)}" for k, v in values.items() if k != "focus" and v is not None)
            problems.append(Problem(file, fact_line(file, where), f"{check.name}: {where}: {check.summary}" + (f" ({detail})" if detail else "")))
    return problems


def run_checks(settings: Settings, what: str, *, reason: bool = True) -> list[Problem]:
    """Problems found by the checks named by ``what`` (ontology, corpus, graph or all)."""
    from sahelkg.graph.ontology import check_ontology, load_ontology

    problems: list[Problem] = []
    if what in ("ontology", "all"):
        problems += check_ontology(settings.ontology_file, reason=reason)
    if what in ("corpus", "all"):
        from sahelkg.corpus import check_corpus

        try:
            ontology = load_ontology(settings.ontology_file)
        except SahelKGError as e:
            return problems + [Problem(str(settings.ontology_file), None, f"cannot check the corpus: {e}")]
        problems += check_corpus(settings.corpus_dir, ontology).problems
    if what in ("graph", "all"):
        problems += check_graph(settings)
    return problems
