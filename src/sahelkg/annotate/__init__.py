"""Draft annotations of new articles: ``sahelkg annotate`` (see docs/annotate.md).

>>> from sahelkg.annotate import Annotator, annotate_file, annotate_folder, load_annotator
"""

from __future__ import annotations

from sahelkg.annotate.pipeline import (
    DRAFTED_BY, AnnotateError, Annotator, Draft, annotate_file, annotate_folder, default_output, load_annotator,
    read_article_text,
)

__all__ = [
    "DRAFTED_BY", "AnnotateError", "Annotator", "Draft", "annotate_file", "annotate_folder", "default_output",
    "load_annotator", "read_article_text",
]
