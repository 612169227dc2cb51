"""Outcome surfaces: the leads' status menu, the "not an issue" reason modal, the reporter's DM. Pure."""

from __future__ import annotations

from bot.blocks import ids
from bot.blocks.fields import FormState
from bot.blocks.origin import ModalOrigin
from bot.blocks.text import fallback, inert, mrkdwn_section, quoted
from bot.domain.constraint_reviews import Verdict
from bot.domain.flags import RecordedFlag
from bot.domain.outcomes import REASON_MAX, Status

CONSTRAINT_REVIEW_LABEL = "Review the real constraint…"


def status_menu(number: int | None, current: str, *, has_claim: bool = False) -> dict:
    """An overflow menu with every status but the current one, and for a flag whose reporter claimed a real
    external constraint, the review of that claim (4 + 1: an overflow holds at most five options). Its values
    name the flag by the number leads see, never by its internal id, which follows the order flags were written in
    (anyone in the channel can read a message's values)."""
    options = [
        {"text": {"type": "plain_text", "text": f"Mark {status.label.lower()}"}, "value": f"{number}:{status.value}"}
        for status in Status
        if status.value != current
    ]
    if has_claim:
        options.append(
            {
                "text": {"type": "plain_text", "text": CONSTRAINT_REVIEW_LABEL},
                "value": f"{number}:{ids.CONSTRAINT_REVIEW_OPTION}",
            }
        )
    return {"type": "overflow", "action_id": ids.FLAG_STATUS_ACTION, "options": options}


def to_constraint_review_choice(value: str) -> int | None:
    """The flag number of a status menu's "review the real constraint" option; None for any other value."""
    flag_text, _, option = str(value).partition(":")
    return int(flag_text) if flag_text.isdigit() and option == ids.CONSTRAINT_REVIEW_OPTION else None


def verdict_note(verdict: str | None) -> str:
    """What the leads made of a claimed constraint, for the flag's line (nothing before a review)."""
    if verdict == Verdict.CONFIRMED:
        return " (confirmed by a lead)"
    if verdict == Verdict.NOT_CONFIRMED:
        return " (not confirmed by a lead)"
    return ""


def constraint_review_modal(origin: ModalOrigin) -> dict:
    """A lead says whether the claimed constraint is real. It shows nothing of the flag (the lead sees the claim beside
    the menu; anyone else who opens it learns nothing, and is refused on submit). `origin` names the flag."""
    options = [
        {
            "text": {"type": "plain_text", "text": "Confirmed: a real external constraint is behind the date"},
            "value": Verdict.CONFIRMED.value,
        },
        {
            "text": {"type": "plain_text", "text": "Not confirmed: no real external constraint was found"},
            "value": Verdict.NOT_CONFIRMED.value,
        },
    ]
    return {
        "type": "modal",
        "callback_id": ids.CONSTRAINT_REVIEW_MODAL,
        "title": {"type": "plain_text", "text": "Real constraint"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": origin.to_metadata(),
        "blocks": [
            {
                "type": "input",
                "block_id": ids.VERDICT_BLOCK,
                "label": {"type": "plain_text", "text": "Is the reporter's claimed constraint real?"},
                "hint": {
                    "type": "plain_text",
                    "text": "The digest counts confirmed claims, never who made them. The reporter is not told.",
                },
                "element": {"type": "radio_buttons", "action_id": ids.VALUE, "options": options},
            },
        ],
    }


def read_verdict(view: dict) -> Verdict | None:
    """The verdict picked in a submitted constraint review; anything malformed reads as none."""
    state = view.get("state")
    element = FormState(state.get("values") if isinstance(state, dict) else None).element(ids.VERDICT_BLOCK)
    option = element.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    try:
        return Verdict(value) if isinstance(value, str) else None
    except ValueError:
        return None


def to_status_choice(value: str) -> tuple[int, Status] | None:
    """(flag number, status) from a status menu option's value; None for anything we did not build."""
    flag_text, _, status_text = str(value).partition(":")
    if not flag_text.isdigit():
        return None
    try:
        return int(flag_text), Status(status_text)
    except ValueError:
        return None


def not_an_issue_modal(origin: ModalOrigin) -> dict:
    """Marking a flag "not an issue" asks for an optional reason, which the reporter will see. `origin` names the
    flag (its flag_number) and where the lead clicked."""
    return {
        "type": "modal",
        "callback_id": ids.NOT_AN_ISSUE_MODAL,
        "title": {"type": "plain_text", "text": "Not an issue"},
        "submit": {"type": "plain_text", "text": "Mark not an issue"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": origin.to_metadata(),
        "blocks": [
            {
                "type": "input",
                "block_id": ids.REASON_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Why is this flag not an issue?"},
                "hint": {"type": "plain_text", "text": "The reporter will see this. Explain, don't blame."},
                "element": {"type": "plain_text_input", "action_id": ids.VALUE, "multiline": True, "max_length": REASON_MAX},
            }
        ],
    }


def flag_outcome_message(flag: RecordedFlag) -> dict:
    """The reporter's DM when their flag is resolved or marked not an issue."""
    status = Status(flag.status)
    headline = f":white_check_mark: Your flag #{flag.number} was marked *{status.label.lower()}*."
    blocks = [mrkdwn_section(headline), mrkdwn_section(quoted(flag.summary, 1000))]
    if flag.status_reason:
        blocks.append(mrkdwn_section(f"*Why:* {inert(flag.status_reason, 600)}"))
    blocks.append(mrkdwn_section("_You get these messages because you flagged it. Turn them off on the app's Home tab._"))
    return {"text": fallback(f"Your flag #{flag.number} was marked {status.label.lower()}."), "blocks": blocks}


def read_reason(view: dict) -> str | None:
    """The typed reason from a submitted "not an issue" modal; anything malformed reads as no reason."""
    state = view.get("state")
    reason = FormState(state.get("values") if isinstance(state, dict) else None).element(ids.REASON_BLOCK).get("value")
    return reason if isinstance(reason, str) and reason.strip() else None
