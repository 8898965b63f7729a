"""The one error the endpoint answers with: a message and the HTTP status it goes out under."""

from __future__ import annotations

from sahelkg.errors import QueryError


class EndpointError(QueryError):
    """A request the endpoint refuses or cannot answer; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

