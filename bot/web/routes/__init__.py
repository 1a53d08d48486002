"""HTTP routes, one module per area: chat, openai, articles, health, widget."""
