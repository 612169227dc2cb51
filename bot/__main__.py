"""Command line: `python -m bot --help` lists every command. Wiring only: the work lives in the modules it calls."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config, ConfigError, load_config
from bot.db.session import engine_of
from bot.logs import configure_logging

if TYPE_CHECKING:
    from bot.domain.agreement import Clause
    from bot.domain.insights import Learnings

log = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="deadline-flag: a Slack app that makes artificial deadlines visible, without blame.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="serve Slack's requests on POST /slack/events (and GET /healthz; in OAuth mode GET /slack/install and "
        "/slack/oauth_redirect)",
    )
    serve.add_argument("--port", type=int, help="port to listen on (default: $PORT, else 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="address to bind (default: 0.0.0.0)")
    serve.set_defaults(run=run_serve)

    migrate = commands.add_parser("migrate", help="bring DATABASE_URL to the newest schema revision")
    migrate.set_defaults(run=run_migrate)

    scheduler = commands.add_parser("scheduler", help="the clock process: send each workspace's weekly digest when due")
    scheduler.set_defaults(run=run_scheduler)

    digest = commands.add_parser("digest", help="preview or send the weekly digest").add_subparsers(
        dest="digest_command", required=True, metavar="ACTION"
    )
    preview = digest.add_parser("preview", help="print the digest as plain text")
    preview.add_argument("--team", help="workspace id (default: every workspace the app knows)")
    preview.add_argument("--week", help="calendar week YYYY-Www in the workspace's timezone (default: the last 7 days)")
    preview.add_argument(
        "--chart", metavar="FILE.png", help="also write the digest's 8-week trend chart to this PNG file (needs --team)"
    )
    preview.set_defaults(run=run_digest_preview)
    send = digest.add_parser("send", help="post the digest now (once per workspace and week)")
    send.add_argument(
        "--team", help="workspace id (default: every installed workspace, those an org-wide install has served included)"
    )
    send.add_argument("--force", action="store_true", help="post even if this week's digest was already posted")
    send.set_defaults(run=run_digest_send)

    settings = commands.add_parser("settings", help="show or change a workspace's digest settings").add_subparsers(
        dest="settings_command", required=True, metavar="ACTION"
    )
    show = settings.add_parser("show", help="print the effective settings")
    show.add_argument("--team", required=True, help="workspace id")
    show.set_defaults(run=run_settings_show)
    change = settings.add_parser("set", help="change settings (the others stay as they are)")
    change.add_argument("--team", required=True, help="workspace id")
    change.add_argument("--channel", help="digest channel id, e.g. C0123ABCD")
    change.add_argument(
        "--allow-shared",
        action="store_true",
        help="accept a --channel shared with another organisation (Slack Connect): its people would read the flags",
    )
    change.add_argument("--weekday", help="mon, tue, wed, thu, fri, sat or sun")
    change.add_argument("--hour", type=int, help="hour of the day, 0-23, in the workspace's timezone")
    change.add_argument("--timezone", help="IANA timezone, e.g. Europe/Paris")
    change.add_argument("--leads", help="comma-separated user ids who may change flag outcomes (besides admins/owners)")
    change.add_argument("--retention-days", type=int, help="days flags are kept (default 365)")
    change.add_argument(
        "--min-reporters",
        type=int,
        metavar="N",
        help="anonymous flags are held until N different people have flagged, then shown together (default 3, "
        "1 to 10; 1 turns holding off, and says so)",
    )
    change.set_defaults(run=run_settings_set)

    agreement = commands.add_parser(
        "agreement", help="show or change a workspace's working agreement (the clauses flags name, by side)"
    ).add_subparsers(dest="agreement_command", required=True, metavar="ACTION")
    show_agreement = agreement.add_parser("show", help="print the active clauses (keyword, side, title), then the retired")
    show_agreement.add_argument("--team", required=True, help="workspace id")
    show_agreement.set_defaults(run=run_agreement_show)
    add = agreement.add_parser("add", help="add an active clause to one side")
    add.add_argument("--team", required=True, help="workspace id")
    add.add_argument("--side", required=True, help="product or tech: the side whose responsibility it is")
    add.add_argument("--keyword", required=True, help="one lower-case word of 2-20 letters, typed as `keyword:`")
    add.add_argument("--title", required=True, help="what is agreed, at most 75 characters")
    add.add_argument("--description", help="one line, at most 100 characters")
    add.set_defaults(run=run_agreement_add)
    edit = agreement.add_parser("edit", help="change a clause's title, description or side (its keyword stays)")
    edit.add_argument("--team", required=True, help="workspace id")
    edit.add_argument("--keyword", required=True, help="the clause's keyword")
    edit.add_argument("--title", help="what is agreed, at most 75 characters")
    edit.add_argument("--description", help="one line, at most 100 characters")
    edit.add_argument("--side", help="product or tech (its flags move with it)")
    edit.set_defaults(run=run_agreement_edit)
    retire = agreement.add_parser(
        "retire", help="offer a clause for no new flag (its flags and history stay, and digests covering them show it)"
    )
    retire.add_argument("--team", required=True, help="workspace id")
    retire.add_argument("--keyword", required=True, help="the clause's keyword")
    retire.set_defaults(run=run_agreement_retire)
    restore = agreement.add_parser("restore", help="offer a retired clause for new flags again")
    restore.add_argument("--team", required=True, help="workspace id")
    restore.add_argument("--keyword", required=True, help="the clause's keyword")
    restore.set_defaults(run=run_agreement_restore)

    export = commands.add_parser("export", help="write a workspace's flags with their outcomes to stdout")
    export.add_argument("--team", required=True, help="workspace id")
    export.add_argument(
        "--since", type=_date, help="only flags released on or after this date (with --include-held: stored) (YYYY-MM-DD)"
    )
    export.add_argument("--format", choices=["csv", "json"], default="csv", help="csv (default) or json")
    export.add_argument(
        "--include-held",
        action="store_true",
        help="also the flags held until enough different people have flagged, with a held column and the day each "
        "was stored: for the operator, who holds the database anyway, never for leads (without it, as leads see "
        "it: released and named flags, and how many are held, on stderr)",
    )
    export.set_defaults(run=run_export)

    report = commands.add_parser(
        "report",
        help="what the leads learn over any range, weekly: response times, claimed constraints, the trend",
        description="Flags, response times (median to a lead's first answer, the share answered within 5 working days, "
        "median to resolution), claimed real constraints and how many leads confirmed, over the range and week by "
        "week from --since, per side of the agreement. Days are in the workspace's timezone; reporters are never named.",
    )
    report.add_argument("--team", required=True, help="workspace id")
    report.add_argument("--since", required=True, type=_day, help="first day, YYYY-MM-DD (weeks start on this day)")
    report.add_argument("--until", type=_day, help="last day, YYYY-MM-DD, included (default: up to now)")
    report.add_argument("--chart", metavar="FILE.png", help="also write the weekly trend chart to this PNG file")
    report.add_argument("--format", choices=["text", "json"], default="text", help="text (default) or json")
    report.set_defaults(run=run_report)

    purge = commands.add_parser(
        "purge",
        help="delete flags past their workspace's retention and uninstalled workspaces' data past PURGE_AFTER_DAYS; "
        "with --team, one workspace's data at once",
    )
    purge.add_argument("--team", metavar="TEAM_ID", help="purge this workspace's data now, installed or not")
    purge.set_defaults(run=run_purge)
    return parser


def run_serve(args: argparse.Namespace, config: Config) -> int:
    config = config.with_port(args.port).require_serving()

    from bot.db.migrate import upgrade_to_head
    from bot.slack.checks import warn_if_token_unusable
    from bot.slack.server import serve

    if _is_embedded(config):
        # The embedded database has no release phase to migrate it: do it here, so a newcomer needs no extra step.
        upgrade_to_head(config.database_url)
    warn_if_token_unusable(config)
    transport = "socket_mode" if config.is_socket_mode else "http"
    log.info(
        "serving",
        extra={
            "port": config.port,
            "mode": config.require_mode(),
            "transport": transport,
            "database": _backend(config),
        },
    )
    if config.is_socket_mode:
        from bot.slack.socket_mode import serve_socket_mode

        serve_socket_mode(config, host=args.host)
    else:
        serve(config, host=args.host)
    return 0


def run_migrate(args: argparse.Namespace, config: Config) -> int:
    from bot.db.migrate import upgrade_to_head

    upgrade_to_head(config.database_url)
    log.info("database is at the newest revision", extra={"database": _backend(config)})
    return 0


def run_scheduler(args: argparse.Namespace, config: Config) -> int:
    from bot.scheduler import build_scheduler
    from bot.slack.tokens import workspaces_for

    db = _open_database(config)
    log.info("clock process started", extra={"database": _backend(config), "mode": config.require_mode()})
    build_scheduler(db, workspaces_for(config, engine_of(db)), config).start()
    return 0


def run_digest_preview(args: argparse.Namespace, config: Config) -> int:
    from bot.blocks.digest_text import digest_plain_text
    from bot.domain import digest as digests
    from bot.domain.workspace_settings import effective_schedule

    if args.chart and not args.team:
        raise ConfigError("--chart draws one workspace's chart: give --team too")
    db = _open_database(config)
    team_ids = [args.team] if args.team else _known_team_ids(db, config)
    if not team_ids:
        print("No workspace has flags yet.")
    for team_id in team_ids:
        schedule = effective_schedule(db, team_id=team_id, default_channel=config.digest_channel)
        try:
            period = digests.calendar_week(args.week, schedule.zone) if args.week else digests.rolling_week(_now())
        except digests.InvalidWeek as problem:
            raise ConfigError(str(problem)) from None
        digest = digests.build_digest(db, team_id=team_id, period=period)
        print(digest_plain_text(digest))
        print()
        if args.chart and digest.learnings is not None:
            _write_chart(args.chart, digest.learnings)
    return 0


def run_report(args: argparse.Namespace, config: Config) -> int:
    from bot.blocks.report_text import report_json, report_plain_text
    from bot.domain.insights import InvalidRange, learn_range

    db = _open_database(config)
    try:
        learnings = learn_range(db, team_id=args.team, since=args.since, until=args.until, now=_now())
    except InvalidRange as problem:
        raise ConfigError(str(problem)) from None
    sys.stdout.write((report_json(learnings) if args.format == "json" else report_plain_text(learnings)) + "\n")
    if args.chart:
        _write_chart(args.chart, learnings)
    return 0


def _write_chart(path: str, learnings: Learnings) -> None:
    """The trend chart as a PNG file; its alt text goes to stderr, so stdout stays the report."""
    from bot.blocks.learnings import chart_alt_text
    from bot.chart import trend_png

    try:
        with open(path, "wb") as out:
            out.write(trend_png(learnings))
    except OSError as problem:
        raise ConfigError(f"could not write the chart to {path}: {problem.strerror}") from None
    print(f"chart written to {path} ({chart_alt_text(learnings)})", file=sys.stderr)


def run_digest_send(args: argparse.Namespace, config: Config) -> int:
    from bot.flows.digest import send_digest
    from bot.slack.people import People
    from bot.slack.tokens import workspaces_for

    db = _open_database(config)
    workspaces = workspaces_for(config, engine_of(db))
    try:
        team_ids = [args.team] if args.team else workspaces.team_ids()
    except Exception as error:  # single-workspace mode asks Slack (auth.test) which workspace the token is for
        raise ConfigError(f"could not tell which workspaces to send to ({type(error).__name__}): pass --team") from None
    failed = 0
    people = People()
    for team_id in team_ids:
        result = send_digest(
            db,
            workspaces,
            team_id=team_id,
            default_channel=config.digest_channel,
            now=_now(),
            force=args.force,
            people=people,
        )
        print(f"{team_id}: {result.detail}")
        failed += result.status in ("failed", "no_channel")
    return 1 if failed else 0


def run_settings_show(args: argparse.Namespace, config: Config) -> int:
    from bot.domain.holding import effective_min_reporters
    from bot.domain.workspace_settings import effective_retention_days, effective_schedule, list_leads

    db = _open_database(config)
    schedule = effective_schedule(db, team_id=args.team, default_channel=config.digest_channel)
    print(f"{args.team}: {schedule.describe()}")
    print(f"{args.team}: leads {', '.join(list_leads(db, team_id=args.team)) or '(admins and owners only)'}")
    print(f"{args.team}: flags kept {effective_retention_days(db, team_id=args.team)} days")
    people = effective_min_reporters(db, team_id=args.team)
    held = (
        f"anonymous flags held until {people} different people have flagged"
        if people > 1
        else "holding off: anonymous flags shown at once"
    )
    print(f"{args.team}: min reporters {people} ({held})")
    return 0


def run_settings_set(args: argparse.Namespace, config: Config) -> int:
    from bot.domain.holding import MIN_REPORTERS_MIN, OFF_WARNING
    from bot.domain.workspace_settings import InvalidSetting, change_settings

    db = _open_database(config)
    if args.channel and not args.allow_shared:
        _refuse_a_shared_channel(args, config, db)
    try:
        change_settings(
            db,
            team_id=args.team,
            now=_now(),
            default_channel=config.digest_channel,
            channel_id=args.channel,
            weekday=args.weekday,
            hour=args.hour,
            timezone=args.timezone,
            retention_days=args.retention_days,
            min_reporters=args.min_reporters,
            lead_ids=None if args.leads is None else [u.strip() for u in args.leads.split(",") if u.strip()],
            allow_shared=args.allow_shared,
        )
    except InvalidSetting as problem:
        raise ConfigError(str(problem)) from None
    if args.min_reporters == MIN_REPORTERS_MIN:
        print(f"deadline-flag: warning: {OFF_WARNING}", file=sys.stderr)
    return run_settings_show(args, config)


def _refuse_a_shared_channel(args: argparse.Namespace, config: Config, db: sessionmaker[Session]) -> None:
    """A Slack Connect channel would show flag text to another organisation: refused unless --allow-shared."""
    from bot.flows.digest import CONFIRM_IN_CLI, shared_channel_refusal
    from bot.slack.tokens import workspaces_for

    try:
        client = workspaces_for(config, engine_of(db)).client_for(args.team)
    except Exception:  # not installed, or no token: the digest send checks the channel again before posting
        return
    refusal = shared_channel_refusal(client, args.channel, confirm=CONFIRM_IN_CLI.replace("C…", args.channel))
    if refusal:
        raise ConfigError(refusal.replace(f"<#{args.channel}>", args.channel))


def run_agreement_show(args: argparse.Namespace, config: Config) -> int:
    from bot.domain.agreement import agreement_of

    agreement = agreement_of(_open_database(config), team_id=args.team)
    width = max(len(c.keyword) for c in agreement.clauses)
    print(f"{args.team}: active clauses (keyword, side, title)")
    for clause in agreement.active:
        print(f"  {clause.keyword:<{width}}  {clause.side or 'neither':<8}  {clause.title}")
    print(f"{args.team}: retired clauses" + ("" if agreement.retired else ": none"))
    for clause in agreement.retired:
        print(f"  {clause.keyword:<{width}}  {clause.side or 'neither':<8}  {clause.title}")
    return 0


def run_agreement_add(args: argparse.Namespace, config: Config) -> int:
    from bot.domain.agreement import add_clause

    given = dict(side=args.side, keyword=args.keyword, title=args.title, description=args.description)
    return _change_agreement(args, config, partial(add_clause, team_id=args.team, **given), "added")


def run_agreement_edit(args: argparse.Namespace, config: Config) -> int:
    from bot.domain.agreement import edit_clause

    if args.title is None and args.description is None and args.side is None:
        raise ConfigError("Say what to change: --title, --description or --side.")
    given = dict(keyword=args.keyword, title=args.title, description=args.description, side=args.side)
    return _change_agreement(args, config, partial(edit_clause, team_id=args.team, **given), "edited")


def run_agreement_retire(args: argparse.Namespace, config: Config) -> int:
    from bot.domain.agreement import retire_clause

    return _change_agreement(args, config, partial(retire_clause, team_id=args.team, keyword=args.keyword), "retired")


def run_agreement_restore(args: argparse.Namespace, config: Config) -> int:
    from bot.domain.agreement import restore_clause

    return _change_agreement(args, config, partial(restore_clause, team_id=args.team, keyword=args.keyword), "restored")


def _change_agreement(
    args: argparse.Namespace, config: Config, change: Callable[[sessionmaker[Session]], Clause], done: str
) -> int:
    """Make one change; a refusal is the domain's sentence on stderr, exit status 2 (main)."""
    from bot.domain.agreement import InvalidClause

    try:
        clause = change(_open_database(config))
    except InvalidClause as problem:
        raise ConfigError(str(problem)) from None
    print(f"{args.team}: {done} {clause.keyword} ({clause.side or 'neither'}): {clause.title}")
    return run_agreement_show(args, config)


def run_export(args: argparse.Namespace, config: Config) -> int:
    from bot.domain.export import export_rows, to_csv, to_json
    from bot.domain.holding import held_flags_now

    db = _open_database(config)
    rows = export_rows(db, team_id=args.team, since=args.since, include_held=args.include_held)
    sys.stdout.write(to_csv(rows, include_held=args.include_held) if args.format == "csv" else to_json(rows) + "\n")
    if not args.include_held and (held := held_flags_now(db, team_id=args.team).sentence):
        print(f"deadline-flag: {held}", file=sys.stderr)  # stdout stays the data alone
    return 0


def _open_database(config: Config) -> sessionmaker[Session]:
    from bot.db.migrate import upgrade_to_head
    from bot.db.session import create_db_engine, create_session_factory

    if _is_embedded(config):
        upgrade_to_head(config.database_url)
    return create_session_factory(create_db_engine(config.database_url))


def _known_team_ids(db: sessionmaker[Session], config: Config) -> list[str]:
    """Workspaces with flags or settings here, and those the app has a token for (when Slack answers)."""
    from bot.domain.digest import known_team_ids
    from bot.domain.workspace_settings import list_configured_team_ids
    from bot.slack.tokens import workspaces_for

    team_ids = set(known_team_ids(db)) | set(list_configured_team_ids(db))
    try:
        team_ids |= set(workspaces_for(config, engine_of(db)).team_ids())
    except Exception as error:
        log.warning("could not ask Slack which workspaces the token serves", extra={"error": type(error).__name__})
    return sorted(team_ids)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


def _date(text: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), time(0), UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


def _is_embedded(config: Config) -> bool:
    return config.database_url.startswith("sqlite")


def run_purge(args: argparse.Namespace, config: Config) -> int:
    from bot.domain.uninstalls import purge_uninstalled_workspaces, purge_workspace

    if args.team is not None and not args.team.strip():
        # An empty --team (an unset shell variable) must not fall through to the global purge.
        raise ConfigError("--team needs a workspace id (T0123...); leave --team out to purge every workspace")
    db = _open_database(config)
    if args.team is not None:
        deleted = purge_workspace(db, args.team)
        if not any(deleted.values()):
            # A typo in the id deletes nothing: say so, and exit 1 so a script notices.
            print(f"deadline-flag: nothing matched: no data for workspace {args.team}", file=sys.stderr)
            return 1
        log.info("workspace purged", extra={"team_id": args.team, "rows": deleted})
    else:
        from bot.domain.retention import purge_expired_flags

        expired = purge_expired_flags(db, now=_now())
        log.info("flags past their workspace's retention deleted", extra={"deleted": expired})
        grace = timedelta(days=config.purge_after_days)
        purged = purge_uninstalled_workspaces(db, _now(), grace)
        log.info("uninstalled workspaces purged", extra={"team_ids": purged, "purge_after_days": config.purge_after_days})
    return 0


def _backend(config: Config) -> str:
    return config.database_url.split(":", 1)[0]


def _now() -> datetime:
    return datetime.now(UTC)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging()
    try:
        return args.run(args, load_config())
    except ConfigError as problem:
        print(f"deadline-flag: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
