"""Conversational news Q&A: retrieval, conversation, answering and citations."""
