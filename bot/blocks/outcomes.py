"""Outcome surfaces: the leads' status menu, the "not an issue" reason modal, the reporter's DM. Pure."""

from __future__ import annotations

from bot.blocks import ids
from bot.blocks.fields import FormState, form_modal, input_block, option
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
        option("Confirmed: a real external constraint is behind the date", Verdict.CONFIRMED.value),
        option("Not confirmed: no real external constraint was found", Verdict.NOT_CONFIRMED.value),
    ]
    verdict = input_block(
        ids.VERDICT_BLOCK,
        "Is the reporter's claimed constraint real?",
        {"type": "radio_buttons", "options": options},
        "The digest counts confirmed claims, never who made them. The reporter is not told.",
    )
    return form_modal(ids.CONSTRAINT_REVIEW_MODAL, title="Real constraint", submit="Save", blocks=[verdict], origin=origin)


def read_verdict(view: dict) -> Verdict | None:
    """The verdict picked in a submitted constraint review; anything malformed reads as none."""
    state = view.get("state")
    value = FormState(state.get("values") if isinstance(state, dict) else None).selected(ids.VERDICT_BLOCK)
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
    reason = input_block(
        ids.REASON_BLOCK,
        "Why is this flag not an issue?",
        {"type": "plain_text_input", "multiline": True, "max_length": REASON_MAX},
        "The reporter will see this. Explain, don't blame.",
        optional=True,
    )
    return form_modal(
        ids.NOT_AN_ISSUE_MODAL, title="Not an issue", submit="Mark not an issue", blocks=[reason], origin=origin
    )


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
