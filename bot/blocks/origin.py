"""Where a modal was opened from, carried through its private_metadata (not server memory), so any web process can
take the submission. One round trip for every form: the flag form, the "not an issue" form and the clause form. Pure."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

PRIVATE_METADATA_MAX = 3000  # Slack's limit for a view's private_metadata


@dataclass(frozen=True)
class ModalOrigin:
    """Where the modal was opened from, carried through private_metadata (not server memory), so any web
    process can take the submission."""

    flag_id: int | None = None  # the flag its reporter is editing
    flag_number: int | None = None  # the flag a lead is marking not an issue: by its number, as leads know it
    channel_id: str | None = None  # the source message's conversation (shortcut only)
    message_ts: str | None = None
    thread_ts: str | None = None
    team_domain: str | None = None
    response_url: str | None = None  # where the receipt goes, when Slack gave us one
    from_home: bool = False
    from_direct_message: bool = False  # the shortcut was used in a DM or group DM: nothing of it is kept
    clause_keyword: str | None = None  # the agreement clause being edited (the clause form; None: a new clause)

    def to_metadata(self) -> str:
        metadata = json.dumps({k: v for k, v in asdict(self).items() if v not in (None, False)})
        if len(metadata) > PRIVATE_METADATA_MAX:  # only a response_url that long could do it: drop it, keep the rest
            metadata = json.dumps({k: v for k, v in asdict(self).items() if v not in (None, False) and k != "response_url"})
        return metadata

    @classmethod
    def from_metadata(cls, metadata: object) -> ModalOrigin:
        values = metadata_object(metadata)
        # Each field as the type we wrote it; anything else reads as absent.
        known: dict = {k: v for k, v in values.items() if k in _TEXT_FIELDS and isinstance(v, str)}
        for name in ("flag_id", "flag_number"):
            if type(values.get(name)) is int:  # not a bool, which isinstance(…, int) would pass; the domain bounds it
                known[name] = values[name]
        return cls(
            **known, from_home=values.get("from_home") is True, from_direct_message=values.get("from_direct_message") is True
        )


_TEXT_FIELDS = ("channel_id", "message_ts", "thread_ts", "team_domain", "response_url", "clause_keyword")


def metadata_object(metadata: object) -> dict:
    """A view's private_metadata as the JSON object the app wrote there; anything else reads as empty."""
    try:
        values = json.loads(metadata) if isinstance(metadata, str) else None
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def clicked_in(body: dict, **fields: int | str | None) -> ModalOrigin:
    """Where a button or menu was used: the Home tab (a view) or a message, whose response_url can redraw it."""
    container = body.get("container")
    response_url = body.get("response_url")
    return ModalOrigin(
        **fields,  # type: ignore[arg-type]
        from_home=isinstance(container, dict) and container.get("type") == "view",
        response_url=response_url if isinstance(response_url, str) and response_url else None,
    )
