"""Hypothesis strategies for what Slack sends: slash-command forms, interaction payloads and Events API envelopes,
in the documented shapes (Enterprise Grid and org-wide installs, shared channels, bot messages, messages with no
text) and with arbitrary values and arbitrary JSON where a field is expected. Used by tests/test_fuzz_*.py.

Every payload names one sending workspace (or none): `Sent.team_id`, what the invariants hold other workspaces to.
Ids of other workspaces that Slack puts in payloads (a Slack Connect user's team, an external message's team) are
EXT_TEAM, which must never get a row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from bot.blocks import ids
from bot.blocks.origin import ModalOrigin
from bot.domain.agreement import DEFAULT_AGREEMENT
from bot.domain.workspace_settings import WEEKDAYS

SENDING_TEAMS = ("T1", "T2")
SEEDED_TEAMS = ("T1", "T2", "T9")  # T9 only ever has seeded rows: nothing is sent as T9
EXT_TEAM = "TEXT0"  # a Slack Connect partner's workspace
ENTERPRISE = "E0GRID"
USERS = ("U1", "U2", "UADMIN")  # UADMIN is an admin per the fake users.info (see the fuzz fixture)


@dataclass(frozen=True)
class Sent:
    """A request body and the workspace it comes from."""

    body: Any
    team_id: str | None


# Arbitrary JSON for any field: the shapes a simple suite never tries.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)

HOSTILE = (
    "<!channel>",
    "<!here|here>",
    "@everyone",
    "@HERE now",
    "<@U1> and <#C1|general>",
    "<https://evil.example|click me>",
    "&lt;!channel&gt;",
    "*bold* _it_ ~s~ `c` ```x``` > q",
    "\u202eevil\u202c",
    "\x00nul\x00",
    "\r\n\t\x0b\x0c\x1b[31m",
    "💥" * 50,
    "é\u0301" * 20,
)
KEYWORDS = (
    *(c.keyword for c in DEFAULT_AGREEMENT),
    *("help", "?", "usage", "agreement", "Agreement", "Feature", "DEADLINE", "nope", "http", "a" * 20),
)

user_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(HOSTILE),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), st.text(max_size=30)),
    st.builds(
        lambda k, sep, rest: f"{k}{sep}{rest}",
        st.sampled_from(KEYWORDS),
        st.sampled_from([":", " : ", ":\n"]),
        st.text(max_size=40),
    ),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "&", "<", "\n", "é", "💥", " "]), st.integers(2990, 3010)),
    st.builds(lambda n: "y" * n, st.integers(3001, 40_000)),
)


def slack_id(prefix: str) -> st.SearchStrategy[str]:
    return st.from_regex(rf"\A{prefix}[A-Z0-9]{{2,10}}\Z")


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field present with a value, present as null, present with any JSON, or absent (`...`, dropped by `drop`)."""
    return st.one_of(strategy, strategy, strategy, st.none(), json_values, st.just(...))


def drop(value: Any) -> Any:
    """Remove the `...` placeholders `maybe` drew for absent fields."""
    if isinstance(value, dict):
        return {k: drop(v) for k, v in value.items() if v is not ...}
    if isinstance(value, list):
        return [drop(v) for v in value if v is not ...]
    return value


users = st.sampled_from(USERS) | slack_id("W") | st.text(max_size=40)
flag_id_values = st.one_of(
    st.integers(1, 12).map(str),
    st.integers(-5, 2**70).map(str),
    st.sampled_from(["", "0", "²", "١٢", "٣", "1.5", " 1", "1e3", "9" * 5000, "0x10"]),
    st.text(max_size=10),
)
# FAKE_RESPONSE_URL is replaced with the fake Web API's response_url when sent: nothing may reach the internet.
FAKE_RESPONSE_URL = "FAKE_RESPONSE_URL"
response_urls = st.sampled_from([FAKE_RESPONSE_URL, FAKE_RESPONSE_URL, None, "", "not a url", "ftp://127.0.0.1:9/x"])


# -- slash commands ---------------------------------------------------------------------------------------------------


@st.composite
def slash_commands(draw: st.DrawFn) -> Sent:
    """A form as Slack posts it for /deadline-flag (sometimes another command), any text, fields missing or odd."""
    team_id = draw(st.sampled_from([*SENDING_TEAMS, None]))
    form: dict[str, Any] = {
        "token": "legacy",
        "team_id": team_id if team_id else draw(st.sampled_from([..., ""])),
        "team_domain": draw(maybe(st.text(max_size=20))),
        "enterprise_id": draw(st.sampled_from([..., ENTERPRISE, ""])),
        "enterprise_name": draw(st.sampled_from([..., "Grid", ""])),
        "is_enterprise_install": draw(st.sampled_from([..., "true", "false"])),
        "channel_id": draw(st.sampled_from([..., "C1", "G1", "D1", "", "CXYZ" * 20])),
        "channel_name": draw(st.sampled_from([..., "general", "directmessage", "privategroup"])),
        "user_id": draw(st.sampled_from([..., *USERS, "", "U" + "1" * 60])),
        "user_name": "someone",
        "command": draw(st.sampled_from([ids.SLASH_COMMAND] * 6 + ["/other", "", "deadline-flag"])),
        "text": draw(st.one_of(user_text, st.just(...))),
        "api_app_id": "A1",
        "is_ext_shared_channel": draw(st.sampled_from([..., "true", "false"])),
        "response_url": draw(response_urls),
        "trigger_id": draw(maybe(st.text(max_size=30))),
    }
    form = {k: ("" if v is None else v if isinstance(v, str) else json.dumps(v)) for k, v in drop(form).items()}
    return Sent(form, team_id)


# -- interactions -----------------------------------------------------------------------------------------------------


@st.composite
def _interaction_envelope(draw: st.DrawFn, kind: str) -> tuple[dict[str, Any], str | None]:
    """The common fields; org-wide installs send `team: null` with the team in user.team_id, and `enterprise`."""
    team_id = draw(st.sampled_from([*SENDING_TEAMS, None]))
    org_wide = draw(st.booleans())
    if org_wide:
        # team is null; Bolt reads the workspace from user.team_id (the user's own workspace in the org).
        team, user_team = None, team_id if team_id else ...
    else:
        team = (
            {"id": team_id, "domain": draw(maybe(st.text(max_size=20)))} if team_id else draw(st.sampled_from([None, ...]))
        )
        # In a Slack Connect channel the user may belong to the partner's workspace.
        user_team = draw(st.sampled_from([team_id, team_id, EXT_TEAM])) if team_id else ...
    body: dict[str, Any] = {
        "type": kind,
        "team": team,
        "user": {"id": draw(users), "team_id": user_team},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": draw(maybe(st.text(max_size=20))),
        "enterprise": draw(st.sampled_from([..., None, {"id": ENTERPRISE, "name": "Grid"}])),
        "is_enterprise_install": org_wide,
    }
    return body, team_id


@st.composite
def block_actions(draw: st.DrawFn) -> Sent:
    body, team_id = draw(_interaction_envelope("block_actions"))
    action_id = draw(
        st.sampled_from([ids.EDIT_FLAG_ACTION, ids.WITHDRAW_FLAG_ACTION, ids.NEW_FLAG_ACTION, ids.RELEASE_FLAG_ACTION])
        | st.sampled_from([ids.DIGEST_SETTINGS_ACTION, "unknown_action", ids.VALUE])
        | st.sampled_from([ids.FLAG_STATUS_ACTION, ids.FLAG_STATUS_ACTION, ids.OUTCOME_DMS_ACTION, ids.EXPORT_CSV_ACTION])
        | st.sampled_from([ids.AGREEMENT_ADD_ACTION, ids.AGREEMENT_EDIT_ACTION])
    )
    # A status menu's option value is "<flag number>:<status>"; checkboxes send selected_options.
    status_values = st.builds(
        lambda flag, status: f"{flag}:{status}",
        flag_id_values,
        st.sampled_from(["open", "acknowledged", "discussed", "resolved", "not_an_issue", "bogus", ""]),
    )
    action = {
        "type": draw(st.sampled_from(["button", "overflow", "checkboxes"])),
        "action_id": action_id,
        "block_id": draw(maybe(st.text(max_size=10))),
        "value": draw(st.one_of(flag_id_values, flag_id_values, json_values, st.just(...))),
        "selected_option": draw(
            st.sampled_from([...])
            | st.fixed_dictionaries({"value": status_values | st.sampled_from(KEYWORDS)})
            | json_values
        ),
        "selected_options": draw(st.sampled_from([..., [], [{"value": "on"}]]) | json_values),
        "action_ts": "1700000000.1",
    }
    container = draw(
        st.sampled_from([{"type": "view", "view_id": "VHOME"}, {"type": "message", "is_ephemeral": True}, None, "view", ...])
    )
    body.update(
        actions=[action] if draw(st.integers(0, 9)) else [action, draw(json_values)],
        container=container,
        response_url=draw(response_urls),
        view=draw(st.sampled_from([..., {"id": "VHOME", "type": "home", "team_id": team_id}])),
        channel=draw(st.sampled_from([..., {"id": "C1"}, {"id": "D1"}, None])),
    )
    return Sent(drop(body), team_id)


def _origin_metadata(draw: st.DrawFn) -> Any:
    origin = ModalOrigin(
        flag_id=draw(st.none() | st.integers(-2, 14) | st.integers(2**31, 2**80)),
        flag_number=draw(st.none() | st.integers(-2, 14) | st.integers(2**31, 2**80)),
        channel_id=draw(st.none() | st.sampled_from(["C1", "G1", "D1"]) | st.text(max_size=50)),
        message_ts=draw(st.none() | st.just("1700000000.000100") | st.text(max_size=50)),
        thread_ts=draw(st.none() | st.just("1700000000.000001") | st.text(max_size=30)),
        team_domain=draw(st.none() | st.just("example") | st.text(max_size=30)),
        response_url=draw(response_urls),
        from_home=draw(st.booleans()),
        clause_keyword=draw(st.none() | st.sampled_from(KEYWORDS) | st.text(max_size=30)),
    )
    return draw(
        st.one_of(
            st.just(origin.to_metadata()),
            st.just(origin.to_metadata()),
            json_values.map(json.dumps),
            st.text(max_size=40),
            st.none(),
            st.dictionaries(st.sampled_from(list(ModalOrigin.__dataclass_fields__)), json_values).map(json.dumps),
        )
    )


def _flag_modal_values(draw: st.DrawFn) -> Any:
    """The state of a submitted flag modal: what Slack builds from it, with any answers, or any JSON at all."""

    def entry(block_id: str, state: dict[str, Any]) -> dict[str, Any]:
        return {block_id: {ids.VALUE: state}}

    def option(values: st.SearchStrategy[Any]) -> Any:
        return draw(st.sampled_from([None, ...]) | values.map(lambda v: {"value": v}) | json_values)

    values: dict[str, Any] = {}
    values |= entry(
        ids.CLAUSE_BLOCK,
        {"type": "static_select", "selected_option": option(st.sampled_from(KEYWORDS) | json_values)},
    )
    values |= entry(ids.SUMMARY_BLOCK, {"type": "plain_text_input", "value": draw(user_text | json_values)})
    values |= entry(ids.SOURCE_TEXT_BLOCK, {"type": "plain_text_input", "value": draw(st.none() | user_text | json_values)})
    values |= entry(ids.SOURCE_USER_BLOCK, {"type": "users_select", "selected_user": draw(st.none() | users | json_values)})
    values |= entry(
        ids.DATE_DEMANDED_BLOCK,
        {"type": "datepicker", "selected_date": draw(st.none() | st.dates().map(str) | st.text(max_size=12) | json_values)},
    )
    values |= entry(
        ids.CONSTRAINT_CHOICE_BLOCK,
        {"type": "radio_buttons", "selected_option": option(st.sampled_from([ids.CONSTRAINT_NONE, ids.CONSTRAINT_YES]))},
    )
    values |= entry(
        ids.CONSTRAINT_TEXT_BLOCK, {"type": "plain_text_input", "value": draw(st.none() | user_text | json_values)}
    )
    values |= entry(
        ids.NAME_ME_BLOCK,
        {
            "type": "checkboxes",
            "selected_options": draw(st.sampled_from([[], [{"value": ids.NAME_ME}], None]) | json_values),
        },
    )
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    # Blocks dropped or replaced by any JSON, now and then.
    for block_id in draw(st.lists(st.sampled_from(list(values)), max_size=2)):
        values[block_id] = draw(st.just(...) | json_values)
    return drop(values)


def _option(value: str) -> dict[str, str]:
    return {"value": value}


def _clause_values(draw: st.DrawFn) -> Any:
    """A submitted clause form: a side, a keyword, a title, a description, the "offer it" box; or any JSON."""

    def text_input(values: st.SearchStrategy[Any]) -> dict[str, Any]:
        return {ids.VALUE: {"type": "plain_text_input", "value": draw(st.none() | values | json_values)}}

    values = {
        ids.CLAUSE_SIDE_BLOCK: {
            ids.VALUE: {"selected_option": draw(st.none() | st.sampled_from(["product", "tech", "sales"]).map(_option))}
        },
        ids.CLAUSE_KEYWORD_BLOCK: text_input(st.sampled_from(KEYWORDS) | st.from_regex(r"\A[a-z]{2,20}\Z") | user_text),
        ids.CLAUSE_TITLE_BLOCK: text_input(user_text),
        ids.CLAUSE_DESCRIPTION_BLOCK: text_input(user_text),
        ids.CLAUSE_ACTIVE_BLOCK: {
            ids.VALUE: {"selected_options": draw(st.sampled_from([[], [{"value": ids.CLAUSE_ACTIVE}], None]) | json_values)}
        },
    }
    return draw(st.just(values) | st.just(values) | json_values)


def _settings_values(draw: st.DrawFn) -> Any:
    def selected(values: st.SearchStrategy[Any]) -> dict[str, Any]:
        return {"selected_option": draw(st.none() | values.map(lambda v: {"value": v}) | json_values)}

    values = {
        ids.DIGEST_CHANNEL_BLOCK: {
            ids.VALUE: {
                "selected_conversation": draw(
                    st.none() | st.sampled_from(["C1", "G1", "D1", "C" + "1" * 40]) | st.text(max_size=12) | json_values
                )
            }
        },
        ids.DIGEST_WEEKDAY_BLOCK: {ids.VALUE: selected(st.sampled_from(WEEKDAYS) | st.text(max_size=5))},
        ids.DIGEST_HOUR_BLOCK: {
            ids.VALUE: selected(st.integers(-3, 30).map(str) | st.sampled_from(["²", "٣", "0" * 5000]) | json_values)
        },
        ids.DIGEST_TIMEZONE_BLOCK: {
            ids.VALUE: {
                "value": draw(
                    st.none()
                    | st.sampled_from(["UTC", "Europe/Paris", "Nowhere/City", "../../etc/passwd", "\x00"])
                    | st.text(max_size=70)
                    | json_values
                )
            }
        },
        ids.MIN_REPORTERS_BLOCK: {
            ids.VALUE: {
                "value": draw(st.none() | st.integers(-3, 30).map(str) | st.sampled_from(["²", " 3", "1e1"]) | json_values)
            }
        },
    }
    return draw(st.just(values) | st.just(values) | json_values)


@st.composite
def view_submissions(draw: st.DrawFn) -> Sent:
    body, team_id = draw(_interaction_envelope("view_submission"))
    callback_id = draw(
        st.sampled_from([ids.FLAG_MODAL, ids.FLAG_MODAL, ids.DIGEST_SETTINGS_MODAL, ids.NOT_AN_ISSUE_MODAL, "other_modal"])
        | st.just(ids.CLAUSE_MODAL)
    )
    if callback_id == ids.DIGEST_SETTINGS_MODAL:
        values = _settings_values(draw)
    elif callback_id == ids.CLAUSE_MODAL:
        values = _clause_values(draw)
    else:
        values = _flag_modal_values(draw)
    if callback_id == ids.NOT_AN_ISSUE_MODAL:
        values = draw(
            st.fixed_dictionaries(
                {
                    ids.REASON_BLOCK: st.fixed_dictionaries(
                        {
                            ids.VALUE: st.fixed_dictionaries(
                                {"type": st.just("plain_text_input"), "value": st.none() | st.text(max_size=400)}
                            )
                        }
                    )
                }
            )
            | json_values
        )
    body["view"] = drop(
        {
            "id": "V0001",
            "type": "modal",
            "callback_id": callback_id,
            "team_id": team_id,
            "state": draw(st.sampled_from([{"values": values}, {"values": values}, {}, None, ...])),
            "private_metadata": _origin_metadata(draw),
            "hash": "h1",
        }
    )
    body["response_urls"] = draw(
        st.sampled_from([[], [{"response_url": FAKE_RESPONSE_URL, "channel_id": "C1", "block_id": "b"}], ...])
    )
    return Sent(drop(body), team_id)


@st.composite
def messages(draw: st.DrawFn) -> Any:
    """A message as a message shortcut carries it: from a person or a bot, with or without text, files or blocks
    only, a thread reply, from a shared channel's other side; or any JSON."""
    kind = draw(st.sampled_from(["user", "bot", "files", "blocks", "reply", "external", "junk"]))
    message: dict[str, Any] = {
        "type": "message",
        "ts": draw(st.just("1700000000.000100") | st.text(max_size=20)),
        "team": "T1",
    }
    if kind == "junk":
        return draw(json_values)
    if kind in ("user", "reply", "external", "files", "blocks"):
        message["user"] = draw(users)
    if kind == "bot":
        message |= {
            "subtype": "bot_message",
            "bot_id": "B1",
            "username": draw(maybe(user_text)),
            "bot_profile": draw(maybe(st.fixed_dictionaries({"id": st.just("B1"), "name": user_text}))),
        }
    if kind == "files":
        message |= {"text": "", "files": [{"id": "F1", "name": draw(user_text)}], "upload": True}
    elif kind == "blocks":
        message |= {"blocks": [{"type": "rich_text", "elements": [draw(json_values)]}]}
    else:
        message["text"] = draw(maybe(user_text))
    if kind == "reply":
        message |= {"thread_ts": draw(st.just("1700000000.000001") | st.text(max_size=20)), "parent_user_id": draw(users)}
    if kind == "external":
        message |= {"team": EXT_TEAM, "user_team": EXT_TEAM, "source_team": EXT_TEAM}
    for key in draw(st.lists(st.sampled_from(["text", "user", "ts", "thread_ts", "bot_profile", "username"]), max_size=2)):
        message[key] = draw(json_values)
    return drop(message)


@st.composite
def message_shortcuts(draw: st.DrawFn) -> Sent:
    body, team_id = draw(_interaction_envelope("message_action"))
    message = draw(messages())
    if isinstance(body["team"], dict):
        body["team"]["domain"] = draw(maybe(st.sampled_from(["example", "", "a" * 300]) | st.text(max_size=30)))
    body.update(
        callback_id=draw(st.sampled_from([ids.LOG_REQUEST_SHORTCUT] * 4 + ["other_shortcut"])),
        channel=draw(
            maybe(st.fixed_dictionaries({"id": st.sampled_from(["C1", "G1", "D1", "C" * 40]), "name": st.text(max_size=10)}))
        ),
        message=message,
        message_ts=message.get("ts") if isinstance(message, dict) else draw(json_values),
        response_url=draw(response_urls),
        action_ts="1700000000.1",
        is_ext_shared_channel=draw(st.sampled_from([..., True, False])),
    )
    return Sent(drop(body), team_id)


def interactions() -> st.SearchStrategy[Sent]:
    return st.one_of(block_actions(), view_submissions(), message_shortcuts())


# -- Events API -------------------------------------------------------------------------------------------------------


@st.composite
def events(draw: st.DrawFn) -> Sent:
    """An Events API envelope: a workspace install, or an org-wide one (authorizations' team_id null, is_enterprise_install
    true), whose workspace is in context_team_id or the envelope's team_id, or nowhere."""
    org_wide = draw(st.booleans())
    team_id = draw(st.sampled_from([*SENDING_TEAMS, None]))
    kind = draw(st.sampled_from(["app_home_opened", "app_uninstalled", "tokens_revoked", "team_join", "message", "junk"]))
    event: dict[str, Any] = {"type": kind, "event_ts": "1700000000.1"}
    if kind == "app_home_opened":
        event |= {"user": draw(maybe(users)), "channel": "D1", "tab": draw(maybe(st.sampled_from(["home", "messages"])))}
        event["view"] = draw(maybe(st.just({"id": "VHOME", "type": "home", "team_id": team_id})))
    elif kind == "tokens_revoked":
        tokens = st.fixed_dictionaries({"oauth": st.lists(users, max_size=2), "bot": st.lists(users, max_size=2)})
        event["tokens"] = draw(maybe(tokens))
    elif kind == "message":
        event |= drop(
            {
                "user": draw(maybe(users)),
                "text": draw(maybe(user_text)),
                "channel": "C1",
                "ts": "1.2",
                "team": team_id or ...,
            }
        )
    elif kind == "junk":
        event = draw(json_values | st.dictionaries(st.text(max_size=8), json_values).map(lambda e: {"type": "x", **e}))
    authorization = {
        "enterprise_id": ENTERPRISE if org_wide else draw(st.sampled_from([None, ENTERPRISE])),
        # An org-wide install's authorization usually names no workspace (bolt-python's org app tests), sometimes one.
        "team_id": draw(st.sampled_from([None, None, team_id])) if org_wide else team_id,
        "user_id": "UBOT",
        "is_bot": True,
        "is_enterprise_install": org_wide,
    }
    body = {
        "token": "legacy",
        "team_id": draw(st.sampled_from([team_id, None, ...])) if org_wide or not team_id else team_id,
        "enterprise_id": authorization["enterprise_id"] or ...,
        "api_app_id": "A1",
        "type": "event_callback",
        "event": event,
        "event_id": draw(st.from_regex(r"\AEv[A-Z0-9]{4,8}\Z")),
        "event_time": 1700000000,
        "authorizations": draw(st.sampled_from([[authorization], [authorization], [], None, ...])),
        "is_ext_shared_channel": draw(st.sampled_from([..., True, False])),
        # The workspace the event is in; a Slack Connect partner's only where the workspace install's own team decides.
        "context_team_id": draw(st.sampled_from([..., team_id] if org_wide else [..., team_id, EXT_TEAM])),
        "event_context": "4-eyJldCI6ImFwcF9ob21lX29wZW5lZCJ9",
    }
    return Sent(drop(body), team_id)
