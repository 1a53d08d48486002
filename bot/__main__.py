"""Command line: ``python -m bot ask "question"`` and ``python -m bot chat`` (a REPL)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.question import Question
from bot.schemas import Answer, ChatTurn
from index.config import apply_offline_env
from index.errors import NewsbotError

if TYPE_CHECKING:
    from bot.chatbot import Chatbot


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Ask questions about the indexed news articles. "
        "Settings come from NEWSBOT_* variables (NEWSBOT_ANSWERER=extractive|openai|llamacpp, ...).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question and exit")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the Answer as JSON")
    ask.add_argument("--article", metavar="ARTICLE_ID", help="only search this article")
    sub.add_parser("chat", help="a conversation in the terminal (follow-ups use the history)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    apply_offline_env()
    try:
        from bot.factory import build_chatbot

        chatbot = build_chatbot(Settings())
        if args.command == "ask":
            answer = chatbot.ask(Question(args.question, article_id=args.article))
            print(answer.model_dump_json(indent=2) if args.json else render(answer))
            return 0
        return _chat(chatbot)
    except NewsbotError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code


def render(answer: Answer) -> str:
    """The answer, then its numbered sources (or the related articles of a refusal)."""
    lines = [answer.text]
    if answer.notice:
        lines.append(f"({answer.notice})")
    if answer.citations:
        lines.append("\nSources:")
    for c in answer.citations:
        where = ", ".join(x for x in (c.source, c.author, c.published_at[:10]) if x)
        lines.append(f"[{c.n}] {c.title}{f' ({where})' if where else ''}\n    “{c.quote}”")
    if answer.refused and answer.related:
        lines.append("\nRelated articles:")
        lines += [f"- {r.title}{f' ({r.source})' if r.source else ''}" for r in answer.related]
    return "\n".join(lines)


def _chat(chatbot: Chatbot) -> int:
    history: list[ChatTurn] = []
    print("Ask about the articles; an empty line or Ctrl-D quits.", file=sys.stderr)
    while True:
        try:
            question = input("you> ").strip()
        except EOFError:
            return 0
        if not question:
            return 0
        try:
            answer = chatbot.ask(Question(question, tuple(history)))
        except NewsbotError as err:
            print(f"error: {err}", file=sys.stderr)
            continue
        print(render(answer) + "\n")
        history.append(ChatTurn(question=question, answer=answer.text))


if __name__ == "__main__":
    sys.exit(main())
