"""Messages about one flag: the receipt, the usage help, and "not saved" (with the text given back)."""

from __future__ import annotations

from bot.blocks import ids
from bot.blocks.agreement import agreement_blocks, clause_name, clause_plain_name, clause_title
from bot.blocks.text import (
    GIVEN_BACK_MAX,
    block_text_length,
    context,
    fallback,
    inert,
    mrkdwn_section,
    quoted,
    quoted_sections,
)
from bot.domain.agreement import Agreement
from bot.domain.flags import RecordedFlag
from bot.domain.holding import DEFAULT_MIN_REPORTERS, held_until_text

ANONYMOUS_NOTE = "You are anonymous: the digest and the leads never see who flagged this."
NAMED_NOTE = "You chose to be named: the digest shows you as the reporter."
VISIBLE_NOTE = "Visible to leads: it is in the digest, on their Home tab and in the exports."


def flag_recorded_message(flag: RecordedFlag) -> dict:
    """The reporter's receipt: what was stored, under which clause of the agreement, that they are anonymous, and
    whether leads can see it yet (a held flag says why, and offers Release mine now)."""
    number = f"flag #{flag.number}" if flag.number is not None else "held, so not numbered yet"
    headline = f":triangular_flag_on_post: Flagged under {clause_name(flag.clause)} ({number})"
    blocks = [
        mrkdwn_section(headline),
        mrkdwn_section(quoted(flag.summary)),
        context(NAMED_NOTE if flag.reporter_named else ANONYMOUS_NOTE),
        mrkdwn_section(visibility_text(flag)),
        {"type": "actions", "elements": flag_buttons(flag, edit_label="Add details")},
    ]
    return {"text": fallback(f"Flagged under {clause_plain_name(flag.clause)}: {flag.summary}"), "blocks": blocks}


def visibility_text(flag: RecordedFlag) -> str:
    """Where the reporter's flag stands: held (and why, and how to release it), or visible to leads."""
    if not flag.held:
        return f":eye: {VISIBLE_NOTE}"
    return (
        f":lock: {held_until_text(flag.held_until or DEFAULT_MIN_REPORTERS)} Until then it is in no digest, Home tab "
        "or export. *Release mine now* shows it to them at once, on its own."
    )


def flag_buttons(flag: RecordedFlag, *, edit_label: str = "Edit") -> list[dict]:
    """Edit, Release mine now (while the flag is held) and Withdraw for one flag (values: its internal id; the
    number is what the reporter sees). Release and Withdraw ask first: neither can be undone."""
    edit = {
        "type": "button",
        "action_id": ids.EDIT_FLAG_ACTION,
        "text": {"type": "plain_text", "text": edit_label},
        "value": str(flag.id),
    }
    return [edit, *([release_button(flag)] if flag.held else []), withdraw_button(flag)]


def release_button(flag: RecordedFlag) -> dict:
    people = flag.held_until or DEFAULT_MIN_REPORTERS
    return {
        "type": "button",
        "action_id": ids.RELEASE_FLAG_ACTION,
        "text": {"type": "plain_text", "text": "Release mine now"},
        "value": str(flag.id),
        "confirm": {
            "title": {"type": "plain_text", "text": "Show it to leads now?"},
            # Slack allows 300 characters here.
            "text": {
                "type": "plain_text",
                "text": f"Leads will see this flag now, on its own, without waiting for {people} different people to "
                "flag: with so few flags to compare, they may guess who wrote it. It stays anonymous, and cannot be "
                "held again.",
            },
            "confirm": {"type": "plain_text", "text": "Release it"},
            "deny": {"type": "plain_text", "text": "Keep it held"},
        },
    }


def withdraw_button(flag: RecordedFlag) -> dict:
    if flag.held:
        reach = "This held flag will be deleted for good. No lead has seen it."
    else:
        # Says exactly what withdrawing reaches (Slack allows 300 characters here).
        reach = (
            f"Flag #{flag.number} will be deleted for good, with its history, and taken out of every digest message "
            "that lists it. Counts already posted stay as they were, and a CSV a lead already downloaded still holds it."
        )
    return {
        "type": "button",
        "action_id": ids.WITHDRAW_FLAG_ACTION,
        "text": {"type": "plain_text", "text": "Withdraw"},
        "value": str(flag.id),
        "style": "danger",
        "confirm": {
            "title": {"type": "plain_text", "text": "Withdraw this flag?"},
            "text": {"type": "plain_text", "text": reach},
            "confirm": {"type": "plain_text", "text": "Withdraw"},
            "deny": {"type": "plain_text", "text": "Keep it"},
            "style": "danger",
        },
    }


def flag_withdrawn_message(number: int | None) -> dict:
    """`number`: None for a flag withdrawn while held (it had none)."""
    text = (
        f":wastebasket: Flag #{number} was withdrawn and deleted."
        if number is not None
        else (":wastebasket: Your held flag was withdrawn and deleted. No lead saw it.")
    )
    return {"text": text, "blocks": [mrkdwn_section(text)]}


def refusal_message(reason: str) -> dict:
    """A sentence of ours (never user text) saying why an action was refused."""
    return {"text": reason, "blocks": [mrkdwn_section(f":no_entry: {reason}")]}


def usage_message(agreement: Agreement, problem: str | None = None, text: str | None = None) -> dict:
    """How to use /deadline-flag, with the keywords of the workspace's agreement (its active clauses, by side);
    `problem` (ours, not user text) says what was wrong, `text` is given back."""
    example = next((c.keyword for c in agreement.active if not c.is_other), agreement.other.keyword)
    usage = (
        "*Flag a request in seconds:* `/deadline-flag [keyword:] what was asked`\n"
        f"e.g. `/deadline-flag {example}: build a CSV button by Monday`\n"
        f"Without a keyword it is filed under *{clause_title(agreement.default)}*. "
        "The keywords are the clauses of your workspace's agreement:"
    )
    end = (
        "`/deadline-flag agreement` says what each clause means; `/deadline-flag` on its own opens a form with every "
        "field. Reporters stay anonymous unless they choose otherwise."
    )
    blocks = []
    if problem:
        blocks.append(mrkdwn_section(f":warning: {problem} Nothing was stored."))
    usage_blocks = [mrkdwn_section(usage), *agreement_blocks(agreement, descriptions=False), context(end)]
    if text:
        budget = GIVEN_BACK_MAX - block_text_length([*blocks, *usage_blocks])
        blocks.extend(quoted_sections(text, budget=budget))
    blocks += usage_blocks
    return {"text": fallback(problem or "How to use /deadline-flag"), "blocks": blocks}


def invalid_report_message(problem: str, text: str) -> dict:
    """A report we refused: the reason (ours) and the reporter's text back."""
    blocks = [mrkdwn_section(f":warning: {inert(problem)} Nothing was stored; here is your text:"), *quoted_sections(text)]
    return {"text": fallback(problem), "blocks": blocks}


def flag_not_saved_message(text: str | None, error_ref: str) -> dict:
    """Something failed while storing: say so, and give the text back so nothing is lost."""
    headline = (
        ":x: *Your flag was not saved*: something went wrong on our side "
        f"(reference `{inert(error_ref, 40)}`). Please try again in a minute."
    )
    blocks = [mrkdwn_section(headline)]
    if text:
        blocks += [mrkdwn_section("Here is what you wrote, so nothing is lost:"), *quoted_sections(text)]
    return {"text": fallback(f"Your flag was not saved (reference {error_ref}). Please try again."), "blocks": blocks}


def something_went_wrong_message(error_ref: str) -> dict:
    """Work after the answer failed unexpectedly: the user hears it, with the reference support can find in the logs."""
    text = (
        f":x: Something went wrong with what you just did in deadline-flag (reference `{inert(error_ref, 40)}`). "
        "It may not have been done: please check, and try again in a minute."
    )
    return {"text": fallback(f"Something went wrong (reference {error_ref})."), "blocks": [mrkdwn_section(text)]}


def not_done_message(what: str, error_ref: str, kept: str | None = None) -> dict:
    """The database failed: `what` (ours, e.g. "Your flag was not withdrawn") was not done; `kept` (the user's own
    input, escaped here) is given back so nothing they typed is lost."""
    headline = (
        f":x: *{what}*: deadline-flag cannot reach its database (reference `{inert(error_ref, 40)}`). "
        "Nothing was changed. Please try again in a minute."
    )
    blocks = [mrkdwn_section(headline)]
    if kept:
        blocks += [mrkdwn_section("Here is what you entered, so nothing is lost:"), *quoted_sections(kept)]
    return {"text": fallback(f"{what} (reference {error_ref}). Please try again in a minute."), "blocks": blocks}
