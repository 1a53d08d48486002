"""Reading a question: what it asks for (its ``Reading``), and whether a sentence holds it."""
