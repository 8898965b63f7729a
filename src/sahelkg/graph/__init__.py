"""The graph: annotation records mapped to RDF, the ontology, inference and SHACL."""
