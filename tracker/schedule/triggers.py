"""Cron expressions from [schedule] to APScheduler triggers, checked once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from tracker.config import Config
from tracker.errors import ConfigError
from tracker.schedule.history import JOB_IDS


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job as configured."""

    job_id: str
    cron: str
    trigger: CronTrigger
    signature: str
    """Everything that decides when the job runs; a stored job whose signature differs
    from the config is rescheduled, an equal one keeps its stored next run time."""


def cron_trigger(expression: str, timezone: str, *, key: str) -> CronTrigger:
    """Five fields (minute hour day month weekday) as in crontab, or six with a leading
    seconds field, which lets tests run jobs seconds apart."""
    fields = expression.split()
    zone = ZoneInfo(timezone)
    try:
        if len(fields) == 5:
            return CronTrigger.from_crontab(expression, timezone=zone)
        if len(fields) == 6:
            second, minute, hour, day, month, day_of_week = fields
            return CronTrigger(
                second=second,
                minute=minute,
                hour=hour,
                day=day,
                month=month,
                day_of_week=day_of_week,
                timezone=zone,
            )
    except ValueError as exc:
        raise ConfigError(f"[schedule] {key} = {expression!r}: {exc}") from None
    raise ConfigError(
        f"[schedule] {key} = {expression!r}: expected 5 cron fields "
        "(minute hour day month weekday), or 6 with leading seconds"
    )


def job_specs(cfg: Config) -> list[JobSpec]:
    """The enabled jobs (an empty expression disables one). An email job with nowhere to
    send is a config error, not a job that fails every week: the scheduler refuses to
    start and says what to set."""
    schedule = cfg.schedule
    specs = []
    for job_id in JOB_IDS:
        cron = str(getattr(schedule, job_id)).strip()
        if not cron:
            continue
        if job_id == "email" and not cfg.email.configured:
            source = cfg.source_path
            where = "" if source.startswith("<") else f" in {source}"  # not built-in defaults
            raise ConfigError(
                f'[schedule] email = "{cron}" schedules the email report, but [email]{where} '
                "has no sender or no recipients: set [email] from_addr and to (or "
                'TRACKER_EMAIL_FROM and TRACKER_EMAIL_TO), or set [schedule] email = "" '
                "to schedule the syncs only"
            )
        trigger = cron_trigger(cron, schedule.timezone, key=job_id)
        signature = f"{job_id}: {cron} ({schedule.timezone}), grace {schedule.misfire_grace_time}s"
        specs.append(JobSpec(job_id, cron, trigger, signature))
    return specs
