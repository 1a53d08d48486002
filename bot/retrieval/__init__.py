"""Hybrid retrieval: BM25 (lexical.py) + Chroma (hybrid.py), steered by query hints."""
