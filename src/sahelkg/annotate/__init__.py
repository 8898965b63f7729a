"""Draft annotations of new articles: ``sahelkg annotate`` (see docs/annotate.md)."""
