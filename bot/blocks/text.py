"""Making user text safe for Slack, once, for every surface.

Slack's mrkdwn has three control characters (&, <, >): escaped, user text cannot form `<!channel>`,
`<@U123>` or `<url|label>`. The literal words @channel/@here/@everyone are also broken with a zero-width
space, because Slack links them in some fields even without angle brackets.
"""

from __future__ import annotations

import re

SECTION_TEXT_MAX = 3000  # a section block's text
CONTEXT_TEXT_MAX = 2000  # a context block's text element
HEADER_TEXT_MAX = 150  # a header block's plain_text
MESSAGE_TEXT_MAX = 4000  # a message's top-level `text` fallback (Slack truncates past 40k, but keep it readable)
PLAIN_OPTION_MAX = 75  # an option's text and description in a select
BLOCKS_PER_MESSAGE = 50
BLOCKS_PER_VIEW = 100

_CONTROL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
ZERO_WIDTH_SPACE = "\u200b"
ELLIPSIS = "…"


def _defuse(text: str) -> str:
    return _BROADCAST.sub(lambda m: "@" + ZERO_WIDTH_SPACE + m.group(1), text)


def inert(text: str, limit: int = SECTION_TEXT_MAX) -> str:
    """User text made safe for mrkdwn (no <!channel>, <@U…>, <url|…>, @here), at most `limit` characters.

    >>> inert("<!here> & go")
    '&lt;!here&gt; &amp; go'
    """
    escaped = _defuse(text).translate(_CONTROL)
    if len(escaped) <= limit:
        return escaped
    kept, size = [], 0
    for char in _defuse(text):  # clip whole characters, so an "&amp;" is never cut in half
        piece = char.translate(_CONTROL)
        if size + len(piece) > limit - len(ELLIPSIS):
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + ELLIPSIS


def plain(text: str, limit: int) -> str:
    """User text for a plain_text field (not parsed for markup), at most `limit` characters."""
    text = _defuse(text)
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def quoted(text: str, limit: int = SECTION_TEXT_MAX) -> str:
    """User text as an mrkdwn block quote (every line quoted, so a newline cannot end the quote)."""
    lines = inert(text, limit - 2 * (text.count("\n") + 1)).split("\n")
    return "\n".join(f">{line}" for line in lines)


# Slack refuses a message past ~12,000 characters of block text (msg_blocks_too_long; SLACK_REALITY.md: keep to
# 10,000). Giving a user's text back spends what the message's own sentences leave of that.
MESSAGE_BLOCK_TEXT_MAX = 10_000
GIVEN_BACK_MAX = MESSAGE_BLOCK_TEXT_MAX - 300  # room for one sentence of ours beside it


def quoted_sections(text: str, *, max_blocks: int = 10, budget: int = GIVEN_BACK_MAX) -> list[dict]:
    """User text as consecutive quoted section blocks, so that all of it can be given back when it fits in one
    message (`budget` characters of block text, escaping included); past that, a last part says how much is not shown."""
    chunks: list[str] = []
    piece: list[str] = []
    size = 1  # the first line's ">"
    for char in _defuse(text):
        escaped = char.translate(_CONTROL) + (">" if char == "\n" else "")
        if size + len(escaped) > SECTION_TEXT_MAX:
            chunks.append("".join(piece))
            piece, size = [], 1
        piece.append(escaped)
        size += len(escaped)
    chunks.append("".join(piece))
    fit, spent = 0, 0
    while fit < len(chunks) and fit < max_blocks and spent + len(chunks[fit]) + 1 <= budget:
        spent += len(chunks[fit]) + 1
        fit += 1
    if fit < len(chunks):  # a note says what is left out, in the last part's place if there is no room beside it
        if fit == max_blocks or spent + 60 > budget:
            fit = max(fit - 1, 0)
        chunks = [*chunks[:fit], f"{ELLIPSIS} ({len(chunks) - fit} more parts not shown)"]
    return [mrkdwn_section(">" + chunk) for chunk in chunks]


def mrkdwn_section(text: str, *, block_id: str | None = None) -> dict:
    # verbatim: Slack would otherwise auto-link channel names and URLs typed in user text.
    block: dict = {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_TEXT_MAX], "verbatim": True}}
    if block_id:
        block["block_id"] = block_id
    return block


def line_sections(lines: list[str], *, limit: int = SECTION_TEXT_MAX) -> list[dict]:
    """Lines (already escaped) as few section blocks as fit: each holds whole lines, at most `limit` characters."""
    sections: list[list[str]] = [[]]
    size = 0
    for line in lines:
        line = line[:limit]
        if sections[-1] and size + 1 + len(line) > limit:
            sections.append([])
            size = 0
        size += len(line) + (1 if sections[-1] else 0)
        sections[-1].append(line)
    return [mrkdwn_section("\n".join(chunk)) for chunk in sections if chunk]


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:CONTEXT_TEXT_MAX], "verbatim": True}]}


def block_text_length(blocks: list[dict]) -> int:
    """The text of all blocks together, as Slack counts it for msg_blocks_too_long: every text object's text
    (sections, fields, context, headers, option labels, placeholders)."""

    def texts(value: object) -> int:
        if isinstance(value, dict):
            own = (
                len(value["text"])
                if value.get("type") in ("plain_text", "mrkdwn") and isinstance(value.get("text"), str)
                else 0
            )
            return own + sum(texts(v) for v in value.values())
        if isinstance(value, list):
            return sum(texts(v) for v in value)
        return 0

    return texts(blocks)


def fallback(text: str) -> str:
    """A message's top-level `text` (notifications, screen readers): escaped and clipped like any user text."""
    return inert(text, MESSAGE_TEXT_MAX)
