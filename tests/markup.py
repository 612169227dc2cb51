"""Checks on what the app sends Slack: no live mentions or links made from user text, Block Kit limits kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# A live mention, broadcast, channel link or URL link in mrkdwn, or a bare broadcast word Slack may link.
LIVE_MARKUP = re.compile(r"<[!@#]|<https?:|<mailto:|@(channel|here|everyone)\b", re.IGNORECASE)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def live_markup(value: Any) -> list[str]:
    """Every string in `value` that would ping someone or render a link."""
    return [text for text in strings(value) if LIVE_MARKUP.search(text)]


def block_limit_violations(blocks: list[dict], *, max_blocks: int = 50) -> list[str]:
    """Where `blocks` break Slack's documented limits (the ones the app can reach)."""
    problems = [f"{len(blocks)} blocks > {max_blocks}"] if len(blocks) > max_blocks else []
    for block in blocks:
        text = (block.get("text") or {}).get("text", "")
        if block["type"] == "section" and len(text) > 3000:
            problems.append(f"section text of {len(text)} chars")
        if block["type"] == "header" and len(text) > 150:
            problems.append(f"header text of {len(text)} chars")
        for element in block.get("elements", []) if block["type"] == "context" else []:
            if len(element.get("text", "")) > 2000:
                problems.append(f"context text of {len(element['text'])} chars")
    return problems
