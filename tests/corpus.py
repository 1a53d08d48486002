"""Tiny corpus helpers: the seed article, small hand-written news articles in every supported format."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The team's seed article (source_docs/), the corpus of the bot, web and CLI tests.
SEED = ROOT / "source_docs" / "ukraine-russia-istanbul-peace-talks-explained.txt"

# An article's metadata as the index stores it with each chunk (facts about the article, routing).
BRIDGE_META = {
    "article_id": "bridge",
    "title": "Bridge approved",
    "source": "Harbour Gazette",
    "author": "Ana Silva",
    "published_at": "2023-11-27T08:45:59Z",
    "url": "https://gazette.example/bridge",
    "start": 0,
}
TOWNS = [
    "Aldermoor",
    "Brackwater",
    "Caldris",
    "Dunmere",
    "Eastvale",
    "Fenwick",
    "Glenrock",
    "Harrowgate",
    "Ivybridge",
    "Jarrow",
    "Kestrel Bay",
    "Lowmoor",
]
TOPICS = [
    "a new bridge",
    "the harbour expansion",
    "a solar farm",
    "the school budget",
    "a tram line",
    "flood defences",
    "the library renovation",
    "a water treatment plant",
]


def article_text(i: int, sentences: int = 12) -> str:
    """A header-block article (the eval corpus format) with distinct, checkable facts."""
    town = TOWNS[i % len(TOWNS)]
    topic = TOPICS[i % len(TOPICS)]
    body = [
        f"The council of {town} approved {topic} on Tuesday after a debate of {i + 3} hours.",
        f"Mayor Elena Varga-{i} said the project would cost {i + 12} million euros.",
        f"Opponents argued that {town} could not afford {topic} this year.",
    ]
    for k in range(sentences - 3):
        body.append(
            f"Resident number {k} of {town} told reporters that {topic} "
            f"had been discussed for {k + i + 2} years before the vote."
        )
    return (
        f"{town} approves {topic}\n"
        f"Source: The {town} Gazette\n"
        f"Author: Sam Reporter{i}\n"
        f"Published: 2024-03-{(i % 27) + 1:02d}T10:00:00Z\n"
        f"Category: local\n"
        f"URL: https://news.example/{town.lower().replace(' ', '-')}/{i}\n\n"
        + "\n\n".join(" ".join(body[j : j + 2]) for j in range(0, len(body), 2))
        + "\n"
    )


def write_articles(folder: Path, count: int, sentences: int = 12) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"article-{i:03d}.txt"
        path.write_text(article_text(i, sentences), encoding="utf-8")
        paths.append(path)
    return paths


NEWS_HTML = """<!DOCTYPE html>
<html><head>
<title>Harbour tunnel opens in Caldris | The Caldris Gazette</title>
<meta property="og:title" content="Harbour tunnel opens in Caldris">
<meta property="og:site_name" content="The Caldris Gazette">
<meta name="author" content="Priya Nandakumar">
<meta property="article:published_time" content="2024-05-02T08:30:00Z">
<link rel="canonical" href="https://gazette.example/caldris/harbour-tunnel-opens">
<script>window.trackingPixel = "should never be indexed";</script>
<style>.ad { color: red }</style>
</head><body>
<nav><a href="/">Home</a> <a href="/sport">Sport</a> <a href="/weather">Weather menu item</a></nav>
<div class="ad">BUY CHEAP WATCHES advertisement</div>
<article>
<h1>Harbour tunnel opens in Caldris</h1>
<p class="byline">By Priya Nandakumar</p>
<p>The long-awaited harbour tunnel in Caldris opened to traffic on Thursday morning, six years
after construction began and two years behind schedule.</p>
<p>The tunnel, which cost 840 million euros, links the old town with the container port and is
expected to carry 30,000 vehicles a day, according to the regional transport authority.</p>
<p>Transport minister Jonas Ekdahl cut the ribbon and said the project would remove heavy lorries
from the narrow streets of the old town, where residents had complained for decades.</p>
<p>Engineers had to pause work twice after water broke into the tunnel during the winter storms
of 2021, which added months to the schedule and raised the final cost considerably.</p>
</article>
<footer>Copyright The Caldris Gazette. Subscribe to our newsletter.</footer>
</body></html>
"""

EMPTY_HTML = """<!DOCTYPE html><html><head><title>Nothing here</title></head>
<body><nav><a href="/">Home</a></nav><script>var x = 1;</script></body></html>"""


def jsonl_records(count: int) -> str:
    lines = []
    for i in range(count):
        lines.append(
            json.dumps(
                {
                    "title": f"Record article {i} about {TOPICS[i % len(TOPICS)]}",
                    "body": f"This is record {i}. " + article_text(i, 4).split("\n\n", 1)[1],
                    "url": f"https://records.example/story-{i}",
                    "published_at": "2024-01-15",
                    "source": "Records Daily",
                    "author": f"Writer {i}",
                }
            )
        )
    return "\n".join(lines) + "\n"


def assert_chunks_tile(doc: Any, chunks: Sequence[Any], use_header: bool) -> None:
    """Chunks of ``doc`` quote its body at their offsets, overlap in order, cover it end to end,
    and hold every sentence whole (the chunker's layout rules, whatever counts the tokens)."""
    from index.chunking import split_sentences

    body = doc.page_content
    for chunk in chunks:
        assert body[chunk.start : chunk.end] == chunk.text
        assert chunk.metadata["start"] == chunk.start and chunk.metadata["end"] == chunk.end
        assert chunk.embed_text.startswith(doc.metadata["title"]) == use_header
    for left, right in itertools.pairwise(chunks):
        assert right.start < left.end, "consecutive chunks share trailing sentences"
        assert right.start > left.start
    assert chunks[0].start == 0 and chunks[-1].end == len(body)
    for s, e in split_sentences(body):
        assert any(c.start <= s and e <= c.end for c in chunks)
