"""Build the indexing pipeline's parts from settings (one place, no globals)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.chunking import SentenceChunker
from index.config import IndexSettings
from index.nlp import SpacyAnnotator
from index.store import open_store
from index.sync import Indexer
from index.tokens import TokenCounter, max_seq_length, model_tag

if TYPE_CHECKING:
    from index.encoder import Encoder
    from index.store import ArticleStore


def make_chunker(settings: IndexSettings) -> SentenceChunker:
    path = settings.resolved_model_path()
    return SentenceChunker(
        TokenCounter(path),
        max_tokens=min(settings.chunk_max_tokens, max_seq_length(path)),
        overlap_tokens=settings.chunk_overlap_tokens,
        use_header=settings.chunk_header,
        model_tag=model_tag(path),
        annotator=SpacyAnnotator(settings.nlp_model) if settings.nlp else None,
    )


def make_indexer(
    settings: IndexSettings,
    embeddings: Encoder | None = None,
    chunker: SentenceChunker | None = None,
    store: ArticleStore | None = None,
) -> Indexer:
    """The model is loaded on first use only: an unchanged rebuild never needs it.
    Pass ``embeddings`` (a model already loaded, or a fake), ``chunker`` or ``store`` (one
    already open) to use those instead."""

    def load_model() -> Encoder:
        if embeddings is not None:
            return embeddings
        from index.embeddings import make_embeddings

        return make_embeddings(settings)

    return Indexer(
        store=store or open_store(settings),
        embeddings_factory=load_model,
        chunker=chunker or make_chunker(settings),
        max_bytes=int(settings.max_file_mb * 1_000_000),
        fetch_timeout_s=settings.fetch_timeout_s,
        write_batch=settings.write_batch_size,
    )
