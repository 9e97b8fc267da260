"""Unattended operation: `tracker schedule` runs the jobs of [schedule] on their cron times.

* triggers  cron expressions from config -> APScheduler triggers (one JobSpec per job)
* lock      one writer (and one scheduler) per database: a lock row with a heartbeat
* history   every job run recorded; failure streaks; when to alert and when to recover
* alerts    the alert and recovery emails (sent with tracker.email.smtp)
* jobs      the module-level job function APScheduler's job store refers to
* scheduler the BlockingScheduler, its persistent job store, signals and a clean stop
"""
