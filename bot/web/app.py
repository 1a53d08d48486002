"""The whole web app: the HTTP API with the Gradio chat mounted at ``/``."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI

from bot.web.api import create_api
from bot.web.service import ChatService
from bot.web.ui import CSS, HEAD, build_ui, theme


def create_app(service: ChatService) -> FastAPI:
    """The API routes first, then the Gradio chat mounted at / (routes win over the mount)."""
    app = create_api(service)
    mounted: FastAPI = gr.mount_gradio_app(
        app,
        build_ui(service),
        path="/",
        footer_links=["api"],
        ssr_mode=False,  # server-side rendering needs Node.js and gives nothing here
        show_error=False,  # Gradio's exception texts would reach readers; ours are shown in the chat
        theme=theme(),
        css=CSS,
        head=HEAD,
    )
    return mounted
