"""AI assistants as readers: the archive as an MCP server (``mcp_server``) and NLWeb's ``/ask``
(``routes/ask.py``), both through ``AgentService``."""
