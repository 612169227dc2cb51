"""The clause form, for workspace admins, owners and leads on the Home tab: add a clause to one side of the
agreement, or edit, retire and restore one. Its builder, its reader, and where the domain's problems show. Pure:
check_addition and check_edit, in the domain, are the one validation (the CLI uses them too)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.blocks import ids
from bot.blocks.fields import FormState, errors_beside, form_modal, input_block, option
from bot.blocks.origin import ModalOrigin
from bot.blocks.text import context
from bot.domain.agreement import DESCRIPTION_MAX, KEYWORD_MAX, SIDES, TITLE_MAX, Clause


@dataclass(frozen=True)
class ClauseFormInput:
    """The submitted clause form as picked and typed. `editing`: the keyword of the clause edited (None: a new one)."""

    editing: str | None
    keyword: str | None
    side: str | None
    title: str | None
    description: str | None
    active: bool | None  # edits only: "offer it for new flags"

    def describe(self) -> str:
        """What was typed, as plain text, to give back when it could not be saved."""
        chosen = [
            ("Keyword", self.editing or self.keyword),
            ("Side", self.side),
            ("Title", self.title),
            ("Description", self.description),
        ]
        return "\n".join(f"{label}: {value}" for label, value in chosen if value)


def _side_option(value: str) -> dict:
    side = next(s for s in SIDES if s.value == value)
    return option(side.label, side.value, side.meaning.capitalize())


def clause_modal(clause: Clause | None, origin: ModalOrigin) -> dict:
    """The form for a new clause (`clause` None) or for editing one, prefilled. `origin.clause_keyword` names the
    clause being edited."""
    sides = [_side_option(s.value) for s in SIDES]
    side: dict = {"type": "radio_buttons", "options": sides}
    title: dict = {"type": "plain_text_input", "max_length": TITLE_MAX}
    description: dict = {"type": "plain_text_input", "max_length": DESCRIPTION_MAX}
    blocks: list[dict] = []
    if clause is None:
        blocks.append(
            input_block(
                ids.CLAUSE_KEYWORD_BLOCK,
                "Keyword",
                {"type": "plain_text_input", "max_length": KEYWORD_MAX, "placeholder": _plain("e.g. estate")},
                hint="One lower-case word: people type it before a colon, as in /deadline-flag estate: …",
            )
        )
    else:
        blocks.append(context(f"Keyword `{clause.keyword}`: it never changes, so the flags filed by it keep their clause."))
        if clause.side:
            side["initial_option"] = _side_option(clause.side.value)
        title["initial_value"] = clause.title[:TITLE_MAX]
        if clause.description:
            description["initial_value"] = clause.description[:DESCRIPTION_MAX]
    blocks += [
        input_block(ids.CLAUSE_SIDE_BLOCK, "Whose responsibility is it?", side),
        input_block(ids.CLAUSE_TITLE_BLOCK, "What is agreed", title, hint="Short: it is what the flag form offers."),
        input_block(ids.CLAUSE_DESCRIPTION_BLOCK, "In one line", description, optional=True),
    ]
    if clause is not None:
        offered = option("Offer it for new flags", ids.CLAUSE_ACTIVE)
        active: dict = {"type": "checkboxes", "options": [offered]}
        if clause.active:
            active["initial_options"] = [offered]
        blocks.append(
            input_block(
                ids.CLAUSE_ACTIVE_BLOCK,
                "Active",
                active,
                hint="Untick to retire it: it keeps its flags, and digests that cover them still show it.",
                optional=True,
            )
        )
    title, submit = ("Add a clause", "Add") if clause is None else ("Edit a clause", "Save")
    return form_modal(ids.CLAUSE_MODAL, title=title, submit=submit, blocks=blocks, origin=origin)


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def read_clause_form(state_values: object, origin: ModalOrigin) -> ClauseFormInput:
    """What the editor picked and typed, as given: check_addition / check_edit say what cannot be used."""
    state = FormState(state_values)
    editing = origin.clause_keyword
    active = state.element(ids.CLAUSE_ACTIVE_BLOCK).get("selected_options")
    return ClauseFormInput(
        editing=editing,
        keyword=None if editing else state.text(ids.CLAUSE_KEYWORD_BLOCK) or "",
        side=state.selected(ids.CLAUSE_SIDE_BLOCK) or "",
        title=state.text(ids.CLAUSE_TITLE_BLOCK) or "",
        description=state.text(ids.CLAUSE_DESCRIPTION_BLOCK) or "",
        active=(
            isinstance(active, list) and any(isinstance(o, dict) and o.get("value") == ids.CLAUSE_ACTIVE for o in active)
        )
        if editing
        else None,
    )


def form_errors(problems: dict[str, str], *, editing: bool) -> dict[str, str]:
    """The domain's problems ({field: sentence}) beside the blocks they belong to. An edit has no keyword field:
    a problem with the keyword (the clause is gone, or is `other`) shows under the title."""
    blocks = {**BLOCK_FOR_FIELD, "keyword": ids.CLAUSE_TITLE_BLOCK if editing else ids.CLAUSE_KEYWORD_BLOCK}
    return errors_beside(problems, blocks, otherwise=ids.CLAUSE_TITLE_BLOCK)


BLOCK_FOR_FIELD = {
    "side": ids.CLAUSE_SIDE_BLOCK,
    "title": ids.CLAUSE_TITLE_BLOCK,
    "description": ids.CLAUSE_DESCRIPTION_BLOCK,
    "active": ids.CLAUSE_ACTIVE_BLOCK,
}
