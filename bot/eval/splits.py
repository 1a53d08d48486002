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


def question_part(evidence_articles: set[str], question_id: str) -> str:
    """ "held-out" when one of the question's evidence articles is held out, else "tune"; a
    question with no evidence (unanswerable) by its own id. Rules may be tuned on "tune"
    questions and are reported on "held-out" ones."""
    if evidence_articles:
        return "held-out" if any(held_out(a) for a in evidence_articles) else "tune"
    return "held-out" if held_out(question_id) else "tune"
