"""The scheduler's pure parts: cron triggers from config, the alert rule, job history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.email_support import plain_text
from tracker.config import DEFAULT_CONFIG, ScheduleConfig, load_config
from tracker.errors import ConfigError
from tracker.schedule import history
from tracker.schedule.history import RunFacts, decide_notice
from tracker.schedule.triggers import cron_trigger, job_specs
from tracker.store.models import SCHEDULE_STATE

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def runs(*outcomes: str, alerted_at: int | None = None) -> list[RunFacts]:
    """Newest first; `alerted_at` is the index of the run after which an alert went out."""
    return [
        RunFacts(
            outcome,
            T0 - timedelta(hours=i),
            error=f"error {i}" if outcome == "failed" else None,
            notice="alert" if i == alerted_at else None,
        )
        for i, outcome in enumerate(outcomes)
    ]


@pytest.mark.parametrize(
    ("history_", "threshold", "expected"),
    [
        (runs("failed"), 3, None),
        (runs("failed", "failed"), 3, None),
        (runs("failed", "failed", "failed"), 3, "alert"),
        (runs("failed", "failed", "failed", "ok", "failed", "failed"), 3, "alert"),
        (runs("failed", "failed", "ok", "failed"), 3, None),  # a success resets the streak
        (runs("failed", "failed", "failed", "failed", alerted_at=1), 3, None),  # one per streak
        (runs("failed", "interrupted", "failed", "failed"), 3, "alert"),  # a stop is no reset
        (runs("interrupted", "failed", "failed", "failed"), 3, None),  # nor a failure
        (runs("failed"), 1, "alert"),
        (runs("ok", "failed", "failed", "failed", alerted_at=1), 3, "recovery"),
        (runs("ok", "interrupted", "failed", "failed", alerted_at=2), 3, "recovery"),
        (runs("ok", "failed", "failed"), 3, None),  # never alerted: nothing to recover from
        (runs("ok", "ok", "failed", "failed", "failed", alerted_at=2), 3, None),  # told once
        (runs("interrupted", "ok", "failed", alerted_at=2), 1, None),
        ([], 3, None),
    ],
)
def test_decide_notice(history_, threshold, expected):
    assert decide_notice(history_, threshold=threshold) == expected


def test_failure_streak_ignores_interrupted_runs_and_stops_at_a_success():
    streak = history.failure_streak(runs("failed", "interrupted", "failed", "ok", "failed"))
    assert [r.error for r in streak] == ["error 0", "error 2"]


MAIL_ENV = {"TRACKER_EMAIL_FROM": "tracker@example.org", "TRACKER_EMAIL_TO": "a@example.org"}


def test_default_schedule_matches_the_issue():
    cfg = load_config(DEFAULT_CONFIG, env=MAIL_ENV)
    specs = {s.job_id: s for s in job_specs(cfg)}
    assert set(specs) == {"ctgov", "pubmed", "europepmc", "email"}
    after = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # a Wednesday
    fire = {job: s.trigger.get_next_fire_time(None, after) for job, s in specs.items()}
    assert fire["ctgov"] == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    assert fire["pubmed"] == fire["europepmc"] == datetime(2026, 11, 26, 6, 30, tzinfo=UTC)
    assert fire["email"] == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday
    assert cfg.schedule.failures_before_alert == 3
    assert cfg.schedule.misfire_grace_time > 0


def test_cron_is_read_in_the_configured_time_zone():
    trigger = cron_trigger("0 6 * * *", "Europe/Rome", key="ctgov")
    fire = trigger.get_next_fire_time(None, datetime(2026, 7, 1, tzinfo=UTC))
    assert fire == datetime(2026, 7, 1, 6, 0, tzinfo=ZoneInfo("Europe/Rome"))
    assert fire.astimezone(UTC).hour == 4  # summer time


def test_six_fields_add_seconds():
    trigger = cron_trigger("*/5 * * * * *", "UTC", key="ctgov")
    start = datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, start) == start.replace(second=5)


@pytest.mark.parametrize("expression", ["0 6 * *", "61 6 * * *", "0 6 * * funday", "a b c d e f g"])
def test_bad_cron_is_a_config_error_naming_the_key(expression):
    with pytest.raises(ConfigError, match=r"\[schedule\] pubmed = "):
        cron_trigger(expression, "UTC", key="pubmed")


def test_an_email_job_without_email_set_up_is_a_config_error():
    cfg = load_config(DEFAULT_CONFIG, env={})
    assert cfg.schedule.email  # the default schedule has one
    with pytest.raises(ConfigError) as error:
        job_specs(cfg)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(  # the built-in defaults: no file to name
        '[schedule] email = "0 8 * * mon" schedules the email report, but [email] '
        "has no sender or no recipients"
    )
    assert "TRACKER_EMAIL_FROM and TRACKER_EMAIL_TO" in message  # how to set it up
    assert message.endswith('or set [schedule] email = "" to schedule the syncs only')
    # A sender alone is not enough; with recipients too, or the job off, all is well.
    alone = load_config(DEFAULT_CONFIG, env={"TRACKER_EMAIL_FROM": "t@example.org"})
    with pytest.raises(ConfigError):
        job_specs(alone)
    assert [s.job_id for s in job_specs(load_config(DEFAULT_CONFIG, env=MAIL_ENV))][-1] == "email"
    off = cfg.model_copy(update={"schedule": cfg.schedule.model_copy(update={"email": ""})})
    assert [s.job_id for s in job_specs(off)] == ["ctgov", "pubmed", "europepmc"]


def test_an_alert_without_a_mail_server_goes_to_the_log_once(engine, caplog):
    from tracker.schedule import jobs

    cfg = load_config(DEFAULT_CONFIG, env={})  # no [email]
    ctx = jobs.JobContext(cfg=cfg, engine=engine, commands={})
    for minute in range(4):
        run_id = history.start_job_run(engine, "ctgov", now=T0 + timedelta(minutes=minute))
        history.finish_job_run(
            engine,
            run_id,
            outcome="failed",
            error="ctgov: HTTP 503",
            now=T0 + timedelta(minutes=minute, seconds=5),
        )
        jobs._notify(ctx, "ctgov", run_id)
    alerts = [r for r in caplog.records if "has failed" in r.getMessage()]
    assert len(alerts) == 1 and alerts[0].levelname == "ERROR"
    assert "job ctgov: job ctgov has failed 3 times in a row (not emailed" in alerts[0].getMessage()
    with engine.connect() as conn:
        assert [r.notice for r in history.runs_newest_first(conn, "ctgov")][::-1] == [
            None,
            None,
            "alert",
            None,
        ]


def test_empty_expression_disables_a_job():
    cfg = load_config(DEFAULT_CONFIG, env=MAIL_ENV)
    cfg = cfg.model_copy(update={"schedule": cfg.schedule.model_copy(update={"email": ""})})
    assert [s.job_id for s in job_specs(cfg)] == ["ctgov", "pubmed", "europepmc"]


def test_unknown_time_zone_is_rejected():
    with pytest.raises(ValueError, match="unknown time zone"):
        ScheduleConfig(timezone="Mars/Olympus")


def test_job_history_on_both_backends(engine):
    """Runs recorded; the streak, its start and the last error; the next run from the store."""
    outcomes = [("ok", None), ("failed", "ctgov: HTTP 500"), ("interrupted", "stopped")]
    outcomes += [("failed", "ctgov: HTTP 503")]
    ids = []
    for i, (outcome, error) in enumerate(outcomes):
        run_id = history.start_job_run(engine, "ctgov", now=T0 + timedelta(minutes=i))
        history.finish_job_run(
            engine, run_id, outcome=outcome, error=error, now=T0 + timedelta(minutes=i, seconds=5)
        )
        ids.append(run_id)
    history.start_job_run(engine, "pubmed", now=T0)  # another job, still running
    next_run = T0 + timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(
            SCHEDULE_STATE.insert().values(
                job_id="ctgov", next_run_time=next_run.timestamp(), signature="x"
            )
        )
    with engine.connect() as conn:
        health = history.job_health(conn, "ctgov")
        other = history.job_health(conn, "pubmed")
    assert health.streak == 2
    assert health.failing_since == T0 + timedelta(minutes=1)
    assert health.last_outcome == "failed" and health.last_error == "ctgov: HTTP 503"
    assert health.next_run == next_run
    assert other.last_outcome == "running" and other.streak == 0 and other.next_run is None

    history.mark_notice(engine, ids[-1], "alert")
    with engine.connect() as conn:
        facts = list(history.runs_newest_first(conn, "ctgov"))
    assert [f.outcome for f in facts] == ["failed", "interrupted", "failed", "ok"]
    assert facts[0].notice == "alert"

    assert history.close_abandoned_runs(engine, now=T0 + timedelta(hours=1)) == 1
    with engine.connect() as conn:
        assert history.job_health(conn, "pubmed").last_outcome == "interrupted"


def test_status_table_shows_next_run_last_result_and_streak():
    from rich.console import Console

    from tracker.schedule.history import JobHealth
    from tracker.schedule.status import jobs_table

    healths = [
        JobHealth("ctgov", T0 + timedelta(days=1), "failed", T0, T0, "ctgov: HTTP 500", 4, T0),
        JobHealth("email", None, None, None, None, None, 0, None),
    ]
    console = Console(record=True, width=140, color_system=None)
    console.print(jobs_table(healths))
    text = console.export_text()
    ctgov = next(line for line in text.splitlines() if "ctgov" in line)
    assert "2026-11-03 12:00 UTC" in ctgov  # next run
    assert "failed" in ctgov and "4 since 2026-11-02 12:00 UTC" in ctgov
    email = next(line for line in text.splitlines() if "email" in line)
    assert "not scheduled" in email and "never ran" in email


def test_an_alert_that_could_not_be_sent_is_sent_after_the_next_failure(engine):
    """The SMTP server is down at the third failure: nothing is recorded as sent, so the
    fourth failure sends the one alert; the recovery note follows the first success."""
    from tests.email_support import MailServer, free_port
    from tracker.schedule import jobs

    def run(outcome, minute):
        run_id = history.start_job_run(engine, "ctgov", now=T0 + timedelta(minutes=minute))
        history.finish_job_run(
            engine,
            run_id,
            outcome=outcome,
            error="ctgov: HTTP 503" if outcome == "failed" else None,
            now=T0 + timedelta(minutes=minute, seconds=5),
        )
        return run_id

    def context(email):
        cfg = load_config(DEFAULT_CONFIG, env={}).model_copy(update={"email": email})
        return jobs.JobContext(cfg=cfg, engine=engine, commands={})

    def notices():
        with engine.connect() as conn:
            return [r.notice for r in history.runs_newest_first(conn, "ctgov")][::-1]

    with MailServer() as mail:
        down = context(mail.settings(smtp={"port": free_port()}))
        up = context(mail.settings())
        for minute in range(3):
            jobs._notify(down, "ctgov", run("failed", minute))
        assert notices() == [None, None, None] and mail.received == []

        jobs._notify(up, "ctgov", run("failed", 3))
        assert notices() == [None, None, None, "alert"]
        [alert] = mail.received
        assert "job ctgov has failed 4 times in a row" in alert.message["Subject"]
        assert "since 2026-11-02 12:00 UTC" in plain_text(alert.message)

        jobs._notify(up, "ctgov", run("failed", 4))  # still failing: no second alert
        jobs._notify(up, "ctgov", run("ok", 5))
        jobs._notify(up, "ctgov", run("ok", 6))
        assert notices() == [None, None, None, "alert", None, "recovery", None]
        assert [m.message["Subject"].split("] ")[1] for m in mail.received] == [
            "job ctgov has failed 4 times in a row",
            "job ctgov works again",
        ]
