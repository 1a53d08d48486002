"""The widget's server side: ``/widget.js``, the iframe chat page ``/embed``, the reader ``/read``.

``/embed`` may be framed only by the allowed origins (CSP ``frame-ancestors``); ``/read``
shows one article with a cited passage highlighted, the target of the widget's source links.
Every value from a query string or an article is HTML-escaped.
"""

from __future__ import annotations

import gzip
import hashlib
import html
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.web.render import safe_url
from bot.web.service import ChatService
from index.errors import NotFoundError

WIDGET_JS = Path(__file__).resolve().parents[3] / "widget" / "widget.js"

READ_CSS = """body{font:17px/1.6 Georgia,'DejaVu Serif',serif;max-width:42rem;margin:2rem auto;padding:0 1rem;
color:#1f2937}h1{font:700 1.7rem/1.25 system-ui,'DejaVu Sans',sans-serif}.meta{color:#6b7280;
font:0.9rem system-ui,sans-serif}mark{background:#fde68a;padding:0 2px}p{white-space:pre-wrap}"""


def _widget_bytes() -> tuple[bytes, bytes, str]:
    try:
        raw = WIDGET_JS.read_bytes()
    except OSError as err:  # a broken checkout: say which file is missing
        raise NotFoundError(f"widget script missing: {WIDGET_JS}") from err
    return raw, gzip.compress(raw, 9, mtime=0), hashlib.sha256(raw).hexdigest()[:16]


def widget_router(service: ChatService) -> APIRouter:
    raw, packed, etag = _widget_bytes()
    ancestors = " ".join(["'self'", *service.settings.allowed_origins])
    router = APIRouter(tags=["widget"])

    @router.get("/widget.js", include_in_schema=False)
    async def widget_js(request: Request) -> Response:  # no blocking work: off the thread pool
        headers = {"Cache-Control": "public, max-age=300", "ETag": f'"{etag}"', "Vary": "Accept-Encoding"}
        if request.headers.get("if-none-match") == f'"{etag}"':
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(packed, media_type="text/javascript; charset=utf-8", headers=headers)
        return Response(raw, media_type="text/javascript; charset=utf-8", headers=headers)

    @router.get("/embed", response_class=HTMLResponse)
    def embed(
        article_id: str = "", article_url: str = "", title: str = "", greeting: str = "", color: str = ""
    ) -> HTMLResponse:
        """The chat as a page for an ``<iframe>``; only the allowed origins may frame it."""
        attrs = {
            "data-mode": "inline",
            "data-article-id": article_id,
            "data-article-url": article_url,
            "data-title": title,
            "data-greeting": greeting,
            "data-color": color,
        }
        data = " ".join(f'{k}="{html.escape(v[:500])}"' for k, v in attrs.items() if v)
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>News Q&amp;A</title><style>html,body{margin:0;height:100%}</style></head>"
            f'<body><script src="/widget.js" {data}></script></body></html>'
        )
        csp = (
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
            f"img-src 'self'; frame-ancestors {ancestors}"
        )
        return HTMLResponse(page, headers={"Content-Security-Policy": csp})

    @router.get("/read/{article_id:path}", response_class=HTMLResponse)
    def read(article_id: str, start: int = -1, end: int = -1) -> HTMLResponse:
        """An article with the characters ``start``..``end`` (a citation's quote) highlighted."""
        article = service.require_library().get(article_id)
        text = article.text
        if 0 <= start < end <= len(text):
            body = (
                f'{html.escape(text[:start])}<mark id="quote">{html.escape(text[start:end])}</mark>'
                f"{html.escape(text[end:])}"
            )
        else:
            body = html.escape(text)
        meta = " · ".join(
            html.escape(x) for x in (article.source, article.author, article.published_at[:10]) if x
        )
        url = safe_url(article.url)
        original = f' · <a href="{html.escape(url)}" rel="noopener noreferrer">original</a>' if url else ""
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(article.title)}</title><style>{READ_CSS}</style></head><body>"
            f'<h1>{html.escape(article.title)}</h1><div class="meta">{meta}{original}</div>'
            f"<p>{body}</p></body></html>"
        )
        csp = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
        return HTMLResponse(page, headers={"Content-Security-Policy": csp})

    return router
