"""The flag form: one builder for every entry point, the reader of its submitted state, and where the domain's
problems show (beside the field each belongs to). Pure: check_report, in the domain, is the one validation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.blocks import ids
from bot.blocks.agreement import clause_option_text
from bot.blocks.fields import FormState, errors_beside, form_modal, input_block, option
from bot.blocks.origin import ModalOrigin
from bot.blocks.text import PLAIN_OPTION_MAX, plain
from bot.domain.agreement import NEITHER_LABEL, SIDES, Agreement, Clause
from bot.domain.flags import CONSTRAINT_MAX, SOURCE_MAX, SUMMARY_MAX, FlagReport, RecordedFlag


@dataclass(frozen=True)
class FlagDraft:
    """What the modal shows at first: empty, prefilled from a message, or an existing flag being edited."""

    keyword: str | None = None  # None: the agreement's default clause
    summary: str = ""
    source_text: str = ""
    source_user_id: str | None = None
    date_demanded: date | None = None
    external_constraint: str | None = None
    name_reporter: bool = False

    @classmethod
    def of(cls, flag: RecordedFlag) -> FlagDraft:
        return cls(
            keyword=flag.clause.keyword,
            summary=flag.summary,
            source_text=flag.source_text or "",
            source_user_id=flag.source_user_id,
            date_demanded=flag.date_demanded,
            external_constraint=flag.external_constraint,
            name_reporter=flag.reporter_named,
        )


@dataclass(frozen=True)
class FlagModalInput:
    """The submitted form as picked and typed, not yet checked: the domain's check_report says what cannot be stored."""

    keyword: str | None  # the clause picked (its keyword)
    summary: str
    source_text: str | None
    source_user_id: str | None
    date_demanded: str | None  # as picked: YYYY-MM-DD
    claims_constraint: bool  # "Yes, a real one"
    external_constraint: str | None
    name_reporter: bool

    def report(
        self,
        *,
        team_id: str,
        reporter_id: str,
        channel_id: str | None = None,
        message_ts: str | None = None,
        request_key: str | None = None,
    ) -> FlagReport:
        return FlagReport(
            team_id=team_id,
            reporter_id=reporter_id,
            keyword=self.keyword,
            summary=self.summary,
            name_reporter=self.name_reporter,
            source_text=self.source_text,
            source_user_id=self.source_user_id,
            date_demanded=self.date_demanded,
            claims_constraint=self.claims_constraint,
            external_constraint=self.external_constraint,
            channel_id=channel_id,
            message_ts=message_ts,
            request_key=request_key,
        )


def _clause_option(clause: Clause) -> dict:
    return option(clause_option_text(clause), clause.keyword, clause.description)


def clause_select(agreement: Agreement, current: Clause) -> dict:
    """A select of the agreement's active clauses, one option group per side (then `other`), `current` chosen; a
    retired clause is offered only as the clause an edited flag already has. At most 41 options: Slack allows 100."""
    groups = []
    for side in (*SIDES, None):
        clauses = agreement.on_side(side, also=[current.id] if current.id else [])
        if side is None and not clauses:
            clauses = (agreement.other,)
        label = f"{side.label}: {side.meaning}" if side else NEITHER_LABEL
        if clauses:  # Slack refuses an empty group
            groups.append(
                {
                    "label": {"type": "plain_text", "text": plain(label, PLAIN_OPTION_MAX)},
                    "options": [_clause_option(c) for c in clauses],
                }
            )
    return {"type": "static_select", "option_groups": groups, "initial_option": _clause_option(current)}


def _constraint_option(value: str) -> dict:
    return option("None known" if value == ids.CONSTRAINT_NONE else "Yes, a real one", value)


DIRECT_MESSAGE_NOTICE = (
    ":lock: *This message is in a direct message.* The flag keeps your words, not the conversation, its time or "
    "a link to it. If you name the person who asked, remember they know who they said it to: naming them in a DM "
    "tells them who flagged."
)

DIRECT_MESSAGE_SOURCE_HINT = "They know who they asked in this DM: naming them tells them who flagged."


def flag_modal(draft: FlagDraft, origin: ModalOrigin, agreement: Agreement) -> dict:
    """The modal for a new flag or an edit, prefilled from `draft`, offering the clauses of the workspace's agreement."""
    editing = origin.flag_id is not None
    current = agreement.clause(draft.keyword) if draft.keyword else None
    if current is None or not (current.active or editing):
        current = agreement.default
    has_constraint = bool(draft.external_constraint)
    name_me_option = option("Name me in the digest", ids.NAME_ME, "Leave unticked to stay anonymous")
    source_text: dict = {"type": "plain_text_input", "max_length": SOURCE_MAX}
    if draft.source_text:
        source_text["initial_value"] = draft.source_text[:SOURCE_MAX]
    source_user: dict = {"type": "users_select", "placeholder": {"type": "plain_text", "text": "Pick a person"}}
    if draft.source_user_id:
        source_user["initial_user"] = draft.source_user_id
    date_picker: dict = {"type": "datepicker"}
    if draft.date_demanded:
        date_picker["initial_date"] = draft.date_demanded.isoformat()
    constraint_text: dict = {"type": "plain_text_input", "max_length": CONSTRAINT_MAX}
    if draft.external_constraint:
        constraint_text["initial_value"] = draft.external_constraint[:CONSTRAINT_MAX]
    name_me: dict = {"type": "checkboxes", "options": [name_me_option]}
    if draft.name_reporter:
        name_me["initial_options"] = [name_me_option]

    blocks = [
        input_block(
            ids.CLAUSE_BLOCK,
            "Which part of the agreement was not kept?",
            clause_select(agreement, current),
            hint="Each side's responsibilities, as your workspace agreed them.",
        ),
        input_block(
            ids.SUMMARY_BLOCK,
            "What was asked?",
            {
                "type": "plain_text_input",
                "multiline": True,
                "max_length": SUMMARY_MAX,
                **({"initial_value": draft.summary[:SUMMARY_MAX]} if draft.summary else {}),
                "placeholder": {"type": "plain_text", "text": "e.g. Build a CSV export button by Friday for a demo"},
            },
        ),
        input_block(
            ids.SOURCE_TEXT_BLOCK,
            "Who or where did it come from?",
            source_text,
            optional=True,
            hint="A role, a meeting, a roadmap... whatever helps the leads see the pattern.",
        ),
        input_block(
            ids.SOURCE_USER_BLOCK,
            "...or the person who asked",
            source_user,
            optional=True,
            hint=DIRECT_MESSAGE_SOURCE_HINT if origin.from_direct_message else None,
        ),
        input_block(ids.DATE_DEMANDED_BLOCK, "Date demanded", date_picker, optional=True),
        input_block(
            ids.CONSTRAINT_CHOICE_BLOCK,
            "Is there a real external constraint behind the date?",
            {
                "type": "radio_buttons",
                "options": [_constraint_option(ids.CONSTRAINT_NONE), _constraint_option(ids.CONSTRAINT_YES)],
                "initial_option": _constraint_option(ids.CONSTRAINT_YES if has_constraint else ids.CONSTRAINT_NONE),
            },
        ),
        input_block(
            ids.CONSTRAINT_TEXT_BLOCK,
            "If yes, what is it?",
            constraint_text,
            optional=True,
            hint="e.g. a regulator's date, a contract, a conference.",
        ),
        input_block(ids.NAME_ME_BLOCK, "Reporter", name_me, optional=True),
    ]
    if origin.from_direct_message:
        blocks.insert(0, {"type": "section", "text": {"type": "mrkdwn", "text": DIRECT_MESSAGE_NOTICE}})
    title, submit = ("Edit your flag", "Save") if editing else ("Flag a request", "Flag it")
    return form_modal(ids.FLAG_MODAL, title=title, submit=submit, blocks=blocks, origin=origin)


def read_flag_modal(state_values: dict) -> FlagModalInput:
    """What the reporter picked and typed, as given (malformed or missing parts read as empty)."""
    state = FormState(state_values)
    element, text, selected = state.element, state.text, state.selected
    raw_date = element(ids.DATE_DEMANDED_BLOCK).get("selected_date")
    name_me = element(ids.NAME_ME_BLOCK).get("selected_options")
    source_user = element(ids.SOURCE_USER_BLOCK).get("selected_user")
    return FlagModalInput(
        keyword=selected(ids.CLAUSE_BLOCK),
        summary=text(ids.SUMMARY_BLOCK) or "",
        source_text=text(ids.SOURCE_TEXT_BLOCK),
        source_user_id=source_user if isinstance(source_user, str) and source_user else None,
        date_demanded=str(raw_date) if raw_date else None,
        claims_constraint=selected(ids.CONSTRAINT_CHOICE_BLOCK) == ids.CONSTRAINT_YES,
        external_constraint=text(ids.CONSTRAINT_TEXT_BLOCK),
        name_reporter=isinstance(name_me, list)
        and any(isinstance(o, dict) and o.get("value") == ids.NAME_ME for o in name_me),
    )


def form_errors(problems: dict[str, str]) -> dict[str, str]:
    """The domain's problems ({FlagReport field: sentence}) beside the blocks they belong to; a problem with no field
    of its own in the form (no workspace, no user) shows under the text."""
    return errors_beside(problems, BLOCK_FOR_FIELD, otherwise=ids.SUMMARY_BLOCK)


BLOCK_FOR_FIELD = {
    "keyword": ids.CLAUSE_BLOCK,
    "summary": ids.SUMMARY_BLOCK,
    "source_text": ids.SOURCE_TEXT_BLOCK,
    "source_user_id": ids.SOURCE_USER_BLOCK,
    "external_constraint": ids.CONSTRAINT_TEXT_BLOCK,
    "date_demanded": ids.DATE_DEMANDED_BLOCK,
}
