"""The pieces every form is made of: the modal, an input block, a select option, the reader of what was submitted
and the placing of the domain's problems beside their fields. Pure."""

from __future__ import annotations

from collections.abc import Mapping

from bot.blocks import ids
from bot.blocks.origin import ModalOrigin
from bot.blocks.text import PLAIN_OPTION_MAX, plain


def form_modal(callback_id: str, *, title: str, submit: str, blocks: list[dict], origin: ModalOrigin | None = None) -> dict:
    """A modal that is submitted: `origin` (where it was opened from) rides in its private_metadata."""
    modal = {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }
    if origin is not None:
        modal["private_metadata"] = origin.to_metadata()
    return modal


def errors_beside(problems: Mapping[str, str], block_for_field: Mapping[str, str], *, otherwise: str) -> dict[str, str]:
    """The domain's problems ({field: sentence}) as a view's errors ({block id: sentence}), the first for a block
    winning; a problem of no field the form has shows under the block `otherwise`."""
    errors: dict[str, str] = {}
    for name, problem in problems.items():
        errors.setdefault(block_for_field.get(name, otherwise), problem)
    return errors


def option(text: str, value: str, description: str | None = None) -> dict:
    """A select, radio or checkbox option; its texts clipped to Slack's 75 characters."""
    choice: dict = {"text": {"type": "plain_text", "text": plain(text, PLAIN_OPTION_MAX)}, "value": value}
    if description:
        choice["description"] = {"type": "plain_text", "text": plain(description, PLAIN_OPTION_MAX)}
    return choice


def input_block(block_id: str, label: str, element: dict, hint: str | None = None, *, optional: bool = False) -> dict:
    """An input block; its element's action_id is always ids.VALUE, so readers find a value by block id alone."""
    block = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {**element, "action_id": ids.VALUE},
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


class FormState:
    """A submitted form's `view.state.values`, read field by field as the types Slack documents: anything else
    (a list for the values, a number for a text) reads as empty, never as an exception."""

    def __init__(self, state_values: object) -> None:
        self._values = state_values if isinstance(state_values, dict) else {}

    def element(self, block_id: str) -> dict:
        block = self._values.get(block_id)
        value = block.get(ids.VALUE) if isinstance(block, dict) else None
        return value if isinstance(value, dict) else {}

    def text(self, block_id: str) -> str | None:
        value = self.element(block_id).get("value")
        return value.strip() or None if isinstance(value, str) else None

    def selected(self, block_id: str) -> str | None:
        chosen = self.element(block_id).get("selected_option")
        value = chosen.get("value") if isinstance(chosen, dict) else None
        return value if isinstance(value, str) else None
