"""Serving the store: the SPARQL endpoint and the web page."""
