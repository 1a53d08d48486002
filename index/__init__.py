"""Articles in, chunks in Chroma out: loading, chunking, embedding and the store."""
