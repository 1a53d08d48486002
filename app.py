"""Entry point of the product.

Until the web chat lands (issue 4) this starts the terminal chat: ask questions about
the indexed articles, follow-ups use the conversation, answers cite their sources.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from bot.__main__ import main as bot_main

    return bot_main(["chat", *(argv or [])])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
