"""Answerers: one interface, several implementations (extractive default, LLM-backed)."""
