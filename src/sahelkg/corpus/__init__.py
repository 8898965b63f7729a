"""Read and validate the corpus: articles, annotation files and the entity registry.

The corpus is data edited by hand (see ``corpus/README.md``). This package turns it into typed,
validated records, or reports *every* problem at once, each with the file, the line and what to
do. Nothing here knows about RDF; :mod:`sahelkg.graph.rdf` maps the records to triples.

- :mod:`~sahelkg.corpus.scan`: where the files are, which are there, their hashes;
- :mod:`~sahelkg.corpus.yaml_lines`: YAML loaded with the line of every value;
- :mod:`~sahelkg.corpus.schema`: the JSON Schemas, with a fast path for valid files;
- :mod:`~sahelkg.corpus.anchors` and :mod:`~sahelkg.corpus.dates`: quotes and dates as written;
- :mod:`~sahelkg.corpus.classes`: the ontology's classes by name, and the type checks;
- :mod:`~sahelkg.corpus.records`: the typed records;
- :mod:`~sahelkg.corpus.reader`: the corpus read as a whole, and the registry;
- :mod:`~sahelkg.corpus.article`: the validation of one article's annotation file, step by step;
- :mod:`~sahelkg.corpus.lint`: warnings about valid but probably wrong annotations;
- :mod:`~sahelkg.corpus.names`: names as people type them.

>>> normalise_text("cafe\\u0301\\r\\nx")
'café\\nx'
>>> parse_date_value("2014-08")
('2014-08', 'month', datetime.date(2014, 8, 1), datetime.date(2014, 8, 31))
"""

from __future__ import annotations

from sahelkg.corpus.anchors import CONTEXT_CHARS, Quotes, normalise_text, split_header
from sahelkg.corpus.dates import day_of_year, parse_date_value
from sahelkg.corpus.reader import (
    CorpusReader, CorpusReport, check_corpus, copied_fact_problems, fact_index, iter_articles, load_corpus,
)
from sahelkg.corpus.records import (
    Anchor, Article, ArticleFact, ArticleMeta, Claim, Coordinates, Count, DateSpec, Entity, Event, Fact, LocalEntity,
    Mention, Observation, PlaceRef, Registry, Relation, Reviewed,
)
from sahelkg.corpus.scan import ARTICLE_ID_RE, CorpusFiles, annotation_line, sha256_bytes
from sahelkg.corpus.schema import CONTROLLED, Schemas
from sahelkg.corpus.yaml_lines import FileProblems, line_of, load_yaml

__all__ = [
    "ARTICLE_ID_RE", "CONTEXT_CHARS", "CONTROLLED", "Anchor", "Article", "ArticleFact", "ArticleMeta", "Claim", "Coordinates",
    "CorpusFiles", "CorpusReader", "CorpusReport", "Count", "DateSpec", "Entity", "Event", "Fact", "FileProblems",
    "LocalEntity", "Mention", "Observation", "PlaceRef", "Quotes", "Registry", "Relation", "Reviewed",
    "Schemas", "annotation_line", "check_corpus", "copied_fact_problems", "day_of_year", "fact_index",
    "iter_articles", "line_of", "load_corpus", "load_yaml", "normalise_text", "parse_date_value",
    "sha256_bytes", "split_header",
]
