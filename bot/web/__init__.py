"""The web layer: HTTP API (routes/), Gradio chat (ui.py), sessions, rate limits, ChatService."""
