"""A demo news site on its own origin, with the chat widget embedded as a newsroom would.

``python -m widget.demo [--port 7870] [--bot http://127.0.0.1:7860] [--article FILE]``
serves the article as a news page at ``/`` (widget script tag) and ``/iframe`` (iframe
mode). The bot must list this page's origin in ``NEWSBOT_ALLOWED_ORIGINS`` (the default
allows http://127.0.0.1:7870 and http://localhost:7870).
"""

from __future__ import annotations

import argparse
import contextlib
import html
import sys
from collections.abc import Sequence
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "source_docs" / "ukraine-russia-istanbul-peace-talks-explained.txt"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — The Demo Gazette</title>
<style>
body {{ margin: 0; font: 18px/1.65 Georgia, 'DejaVu Serif', serif; color: #222; background: #fbfaf7; }}
.masthead {{ background: #111; color: #fff; padding: 12px 20px; font: 700 22px/1 system-ui, sans-serif; }}
main {{ max-width: 44rem; margin: 0 auto; padding: 24px 20px 120px; }}
h1 {{ font-size: 2rem; line-height: 1.2; }}
.byline {{ color: #666; font: 15px system-ui, sans-serif; }}
.story p {{ margin: 0 0 1em; }}
iframe {{ width: 100%; height: 560px; border: 1px solid #ccc; border-radius: 8px; }}
</style></head>
<body>
<div class="masthead">The Demo Gazette</div>
<main>
<article>
<h1>{title}</h1>
<p class="byline">By {author}</p>
<div class="story">{paragraphs}</div>
</article>
{embed}
</main>
</body></html>
"""


def render(article_path: Path, bot: str, mode: str) -> str:
    from index.loaders import parse_text_article

    doc = parse_text_article(article_path.read_text(encoding="utf-8"), article_path.stem, str(article_path))
    article_id = str(doc.metadata["article_id"])
    paragraphs = "".join(
        f"<p>{html.escape(p.strip())}</p>" for p in doc.page_content.split("\n\n") if p.strip()
    )
    if mode == "iframe":
        src = f"{bot}/embed?article_id={quote(article_id)}"
        embed = (
            f'<h2>Ask about this story</h2><iframe title="News Q&amp;A" src="{html.escape(src)}"></iframe>'
        )
    else:
        embed = (
            f'<script src="{html.escape(bot)}/widget.js" data-article-id="{html.escape(article_id)}" '
            'data-title="Ask about this story" async></script>'
        )
    return PAGE.format(
        title=html.escape(str(doc.metadata.get("title", ""))),
        author=html.escape(str(doc.metadata.get("author") or "Staff")),
        paragraphs=paragraphs,
        embed=embed,
    )


class DemoHandler(BaseHTTPRequestHandler):
    def __init__(self, *args: object, article: Path, bot: str, **kwargs: object) -> None:
        self.article = article
        self.bot = bot
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path not in ("/", "/iframe"):
            self.send_error(404)
            return
        body = render(self.article, self.bot, "iframe" if path == "/iframe" else "script").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: a demo


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m widget.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7870, help="port; its origin must be allowed by the bot")
    parser.add_argument("--bot", default="http://127.0.0.1:7860", help="the app's base URL")
    parser.add_argument("--article", type=Path, default=SEED, help="a .txt article to show")
    args = parser.parse_args(argv)
    handler = partial(DemoHandler, article=args.article, bot=args.bot.rstrip("/"))
    server = ThreadingHTTPServer((args.host, args.port), handler)
    print(f"Demo news page on http://{args.host}:{args.port}/ (iframe mode: /iframe)", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the demo quietly
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
