"""What readers asked, what they were answered and what they thought of it, in a database.

``tables`` (the schema, SQLAlchemy Core) · ``migrations/`` (Alembic; ``database.upgrade`` runs
them) · ``database`` (engine from ``NEWSBOT_DATABASE_URL``, default SQLite in the data folder)
· ``recorder`` (writes off the request path, survives an outage, purges after the retention
period) · ``insights`` (what the editors' page shows) · ``grouping`` (near-duplicate questions).
"""
