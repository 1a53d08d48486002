"""``POST /api/feedback``: a reader rates an answer (thumbs up / down, or reports a problem).

The answer is named by the ``answer_id`` it came with; a second vote on it replaces the
first. Rate-limited like questions, under the same origin rules (the widget calls it from
the news site's pages). The vote is recorded off the request path: a database outage never
fails it once the answer is known.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.records.recorder import MAX_COMMENT_CHARS, Reason, Vote
from bot.web.errors import ERRORS
from bot.web.ratelimit import client_key
from bot.web.service import ChatService
from index.errors import TooLargeError


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer_id: str = Field(pattern=r"^[0-9a-f]{32}$", description="The answer's id (from its reply).")
    rating: Literal["up", "down"]
    reason: Reason | None = Field(None, description="With a report: what is wrong with the answer.")
    comment: str | None = Field(
        None, description=f"The reader's words, at most {MAX_COMMENT_CHARS} characters."
    )

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str | None) -> str | None:
        if value is not None and len(value) > MAX_COMMENT_CHARS:
            # Raised as itself (not a validation error): the handler answers 413, as the issue's
            # readers expect of "too long", rather than a 400.
            raise TooLargeError(f"The comment is over {MAX_COMMENT_CHARS} characters.")
        return value.strip() or None if value is not None else None

    def as_vote(self) -> Vote:
        return Vote(self.answer_id, self.rating, self.reason, self.comment)


class FeedbackOut(BaseModel):
    answer_id: str
    rating: Literal["up", "down"]
    reason: Reason | None
    recorded: bool = Field(True, description="Kept (written to the records shortly).")


def feedback_router(service: ChatService) -> APIRouter:
    async def limited(request: Request, body: FeedbackIn) -> None:
        """Counted once the body is valid (as questions are): a malformed vote costs no budget."""
        client = client_key(request.client)
        await service.threads.run(lambda: service.limiter.check(client, None))

    router = APIRouter(tags=["feedback"], responses=ERRORS, dependencies=[Depends(limited)])

    @router.post("/api/feedback", response_model=FeedbackOut)
    async def rate(body: FeedbackIn) -> FeedbackOut:
        """Rate an answer: 404 for an unknown answer id (or when feedback is off), 413 for a
        comment over 1,000 characters."""
        await service.threads.run(lambda: service.rate(body.as_vote()))
        return FeedbackOut(answer_id=body.answer_id, rating=body.rating, reason=body.reason)

    return router
