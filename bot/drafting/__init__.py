"""Drafting answers: the Draft value, citations made and checked, summaries, facts about an article."""
