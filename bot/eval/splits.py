"""A fixed, article-disjoint split of an evaluation set's articles: what a model may be fitted on
(``train``) and what it is measured on (``held_out``). The part an article falls in depends on its
id alone (a hash), so it never moves when questions or articles are added, and every question's
evidence in a held-out article is measured on an article no fitting has read."""

from __future__ import annotations

import hashlib

HELD_OUT_SHARE = 5  # one article in five is held out (the 80 / 20)


def held_out(article_id: str) -> bool:
    """The article is in the held-out part (about 20 % of ids, fixed by their sha256)."""
    digest = hashlib.sha256(article_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % HELD_OUT_SHARE == 0
