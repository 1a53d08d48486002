"""The web app: the Gradio chat and the HTTP API on one FastAPI server.

``python app.py`` serves at once on the configured host/port (default 127.0.0.1:7860): the
chat at ``/``, the API under ``/api`` and ``/v1``, its documentation at ``/docs``. The model
and the index load on a thread meanwhile (``/readyz`` turns 200 when questions can be
answered); with no index the page says how to build one, and the app serves it once built.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.config import Settings
from index.config import apply_offline_env


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python app.py",
        description="Serve the news Q&A chat (/) and its HTTP API (/api, /v1, docs at /docs). "
        "Other settings come from NEWSBOT_* variables or .env (see README).",
    )
    parser.add_argument("--host", help="address to bind (default: NEWSBOT_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: NEWSBOT_PORT or 7860)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    apply_offline_env()  # before gradio/HF/chroma are imported anywhere
    overrides = {k: v for k, v in {"host": args.host, "port": args.port}.items() if v is not None}
    settings = Settings(**overrides)

    import uvicorn

    from bot.web.app import create_app
    from bot.web.observe import configure_logging
    from bot.web.service import start_service

    configure_logging(settings.log_level, settings.log_format)
    service = start_service(settings)  # loads on a thread: /readyz says when questions are answered
    print(f"Serving on http://{settings.host}:{settings.port}/ (API docs: /docs)", file=sys.stderr)
    # Proxy headers only from the proxies the operator lists: uvicorn otherwise believes
    # X-Forwarded-For from 127.0.0.1, and any local client could pick its rate-limit key.
    uvicorn.run(
        create_app(service),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
        # SIGTERM: the socket stops accepting at once, answers in progress get this long.
        timeout_graceful_shutdown=settings.shutdown_grace_s,
        access_log=False,  # ours (bot/web/observe.py) has the request id and no client address
    )
    service.close()  # on other exits than SIGTERM (the API's lifespan closes it on those)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
