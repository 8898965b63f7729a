"""sahelkg: a knowledge graph of the armed conflict in the Sahel, built from annotated articles."""

from __future__ import annotations

__version__ = "0.1.0"
