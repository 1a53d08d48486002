"""Entry point of the product.

Until the web chat lands (issue 4) this is an interactive terminal Q&A over the index:
it shows the passages that best match each question, with their sources.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator, Sequence

from bot.config import Settings, apply_offline_env
from bot.errors import BotError, IndexUnavailableError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Ask questions about the indexed news articles.")
    parser.add_argument("-q", "--question", help="ask one question and exit")
    parser.add_argument("-k", type=int, default=3, help="passages to show (default 3)")
    args = parser.parse_args(argv)
    apply_offline_env()
    try:
        return _run(Settings(), args.question, args.k)
    except BotError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code


def _run(settings: Settings, question: str | None, k: int) -> int:
    from index.embeddings import make_embeddings
    from index.store import open_store

    store = open_store(settings, make_embeddings(settings))
    if store.count() == 0:
        raise IndexUnavailableError("the index is empty: run `python -m index build` first")
    vectorstore = store.vectorstore
    questions: Iterable[str] = [question] if question else _prompt_lines()
    for q in questions:
        for n, (doc, score) in enumerate(vectorstore.similarity_search_with_score(q, k=k), start=1):
            meta = doc.metadata
            print(
                f"[{n}] {meta['title']} ({meta.get('source') or 'unknown outlet'}) "
                f"distance {score:.3f}\n    {doc.page_content[:400]}\n"
            )
    return 0


def _prompt_lines() -> Iterator[str]:
    print("Ask about the articles (Ctrl-D to quit).", file=sys.stderr)
    while True:
        try:
            line = input("question> ").strip()
        except EOFError:
            return
        if line:
            yield line


if __name__ == "__main__":
    sys.exit(main())
