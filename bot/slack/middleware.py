"""Global middleware that Bolt calls as it is, without building its arguments for each request."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

MiddlewareFunction = Callable[[dict, BoltContext, Callable[[], None]], BoltResponse | None]


class PlainMiddleware(Middleware):
    """`func(body, context, next)` as a global middleware (`app.use(...)`, or `before_authorize=`).

    A function given to `@app.middleware` has its arguments looked up by name on every request (Bolt's kwargs
    injection): 7 such look-ups were a tenth of a flag's CPU under cProfile (benchmarks/profile_flag.py --timer cpu),
    3 of them for the app's middleware. Bolt calls a Middleware's `process` directly instead. Like
    `@app.middleware`, `func` calls `next()` to go on, or returns a response to answer with.
    """

    def __init__(self, func: MiddlewareFunction) -> None:
        self.func = func

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        return self.func(req.body, req.context, next)

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"
