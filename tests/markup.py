"""Checks on what the app sends Slack: no live mentions or links made from user text, Block Kit limits kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

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


def _elements(block: dict) -> Iterator[dict]:
    """The interactive elements of a block (an input's element, a section's accessory, an actions block's list)."""
    for key in ("element", "accessory"):
        if isinstance(block.get(key), dict):
            yield block[key]
    if block.get("type") == "actions":
        yield from block.get("elements", [])


def _element_violations(element: dict) -> list[str]:
    problems = []
    groups = element.get("option_groups") or []
    grouped = [option for group in groups for option in group.get("options") or []]
    for group in groups:
        if not group.get("options"):
            problems.append("an option group without options")
        if len((group.get("label") or {}).get("text", "")) > 75:
            problems.append(f"option group label of {len(group['label']['text'])} chars")
    if len(grouped) + len(element.get("options", [])) > 100:
        problems.append(f"{len(grouped) + len(element.get('options', []))} options in one select > 100")
    # Block Kit: "a single option that exactly matches one of the options within options or option_groups".
    if isinstance(element.get("initial_option"), dict) and element["initial_option"] not in [
        *element.get("options", []),
        *grouped,
    ]:
        problems.append("an initial_option that is none of the options")
    options = [*element.get("options", []), *grouped, *element.get("initial_options", [])]
    if isinstance(element.get("initial_option"), dict):
        options.append(element["initial_option"])
    for option in options:
        for key in ("text", "description"):
            if len((option.get(key) or {}).get("text", "")) > 75:
                problems.append(f"option {key} of {len(option[key]['text'])} chars")
        if len(option.get("value", "")) > 150:
            problems.append(f"option value of {len(option['value'])} chars")
    if element.get("type") == "button":
        if len(element["text"]["text"]) > 75:
            problems.append(f"button text of {len(element['text']['text'])} chars")
        if len(element.get("value", "")) > 2000:
            problems.append(f"button value of {len(element['value'])} chars")
    initial, max_length = element.get("initial_value"), element.get("max_length")
    if isinstance(initial, str) and isinstance(max_length, int) and len(initial) > max_length:
        problems.append(f"initial_value of {len(initial)} chars > max_length {max_length}")
    return problems


def _text_objects(value: Any) -> Iterator[dict]:
    if isinstance(value, dict):
        if value.get("type") in ("plain_text", "mrkdwn") and "text" in value:
            yield value
        for item in value.values():
            yield from _text_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _text_objects(item)


def _all_blocks_violations(blocks: list[dict], max_blocks: int) -> list[str]:
    problems = block_limit_violations(blocks, max_blocks=max_blocks)
    for block in blocks:
        if block["type"] == "section" and "text" in block and not block["text"].get("text"):
            problems.append("empty section text")
        for element in _elements(block):
            problems += _element_violations(element)
    for text in _text_objects(blocks):
        if not isinstance(text["text"], str) or not text["text"]:
            problems.append(f"empty or non-string {text['type']} text")
    return problems


# Slack refuses a message whose blocks hold more text than this in all (msg_blocks_too_long; observed, not documented:
# bolt-js#2509, #2867). The app keeps each message at or below 10,000; the stand-in refuses past Slack's own line.
SLACK_BLOCK_TEXT_MAX = 12_000
SLACK_MESSAGE_TEXT_MAX = 4_000  # top-level `text`: chat.postMessage recommends at most 4,000; msg_too_long near it


def block_text_length(blocks: list[dict]) -> int:
    """The text of all blocks together, as Slack counts it for msg_blocks_too_long: every text object's text."""
    return sum(len(t["text"]) for t in _text_objects(blocks) if isinstance(t.get("text"), str))


def sdk_violations(blocks: list[dict]) -> list[str]:
    """What slack_sdk's own Block Kit models refuse (Block.parse(...).validate_json()), so the stand-in and the SDK agree."""
    problems = []
    for block in blocks:
        try:
            parsed = Block.parse(block)
            if parsed is None:
                problems.append(f"slack_sdk does not know block {block.get('type')!r}")
            else:
                parsed.validate_json()
        except (SlackObjectFormationError, TypeError, KeyError, ValueError) as error:
            problems.append(f"slack_sdk: {type(error).__name__}: {error}")
    return problems


def _verbatim_violations(value: Any) -> list[str]:
    return ["verbatim on a plain_text object" for t in _text_objects(value) if t["type"] == "plain_text" and "verbatim" in t]


def message_limit_violations(message: dict) -> list[str]:
    """Where a message (chat.postMessage, chat.update, chat.postEphemeral, a response_url post, a command's answer)
    breaks Slack's limits: 50 blocks, the block limits above, 12,000 characters of block text in all, and a `text`
    of at most 4,000 characters."""
    blocks = message.get("blocks") or []
    problems = _all_blocks_violations(blocks, max_blocks=50) + _verbatim_violations(blocks) + sdk_violations(blocks)
    if (size := block_text_length(blocks)) > SLACK_BLOCK_TEXT_MAX:
        problems.append(f"msg_blocks_too_long: {size} characters of block text")
    if len(message.get("text") or "") > SLACK_MESSAGE_TEXT_MAX:
        problems.append(f"msg_too_long: message text of {len(message['text'])} chars")
    return problems


def view_limit_violations(view: dict) -> list[str]:
    """Where a modal or Home tab breaks Slack's limits: 100 blocks, a title/submit/close of 24 characters,
    private_metadata of 3,000, a callback_id of 255, a plain_text_input max_length of 3,000, the block limits
    above, and what slack_sdk's View model refuses."""
    blocks = view.get("blocks") or []
    problems = _all_blocks_violations(blocks, max_blocks=100) + _verbatim_violations(blocks)
    for key in ("title", "submit", "close"):
        if len((view.get(key) or {}).get("text", "")) > 24:
            problems.append(f"{key} of {len(view[key]['text'])} chars")
    if len(view.get("private_metadata") or "") > 3000:
        problems.append(f"private_metadata of {len(view['private_metadata'])} chars")
    if len(view.get("callback_id") or "") > 255:
        problems.append(f"callback_id of {len(view['callback_id'])} chars")
    for block in blocks:
        for element in _elements(block):
            if element.get("type") == "plain_text_input" and (element.get("max_length") or 0) > 3000:
                problems.append(f"plain_text_input max_length {element['max_length']} > 3000")
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError, KeyError, ValueError) as error:
        problems.append(f"slack_sdk: {type(error).__name__}: {error}")
    return problems


def rendered_markup(value: Any) -> list[str]:
    """The strings Slack parses for mentions and links: mrkdwn text objects, and a message's top-level `text`."""
    found = [text["text"] for text in _text_objects(value) if text["type"] == "mrkdwn"]
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        found.append(value["text"])
    return found


BROADCAST_WORD = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def live_markup_in_rendered(value: Any) -> list[str]:
    """Mentions, broadcasts and links Slack would render, in mrkdwn and fallback text; plus bare broadcast words in
    plain_text (not parsed, but kept inert everywhere)."""
    live = [text for text in rendered_markup(value) if LIVE_MARKUP.search(text)]
    plain = [t["text"] for t in _text_objects(value) if t["type"] == "plain_text" and BROADCAST_WORD.search(t["text"])]
    return live + plain
