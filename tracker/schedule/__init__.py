"""Unattended operation: `tracker schedule` runs the jobs of [schedule] on their cron times.

* triggers  cron expressions from config -> APScheduler triggers (one JobSpec per job)
* lock      one writer (and one scheduler) per database: a lock row with a heartbeat
* history   every job run recorded; failure streaks; when to alert and when to recover
* alerts    the alert and recovery emails (sent with tracker.email.smtp)
* jobs      the module-level job function APScheduler's job store refers to
* child     a job's command run as a child `tracker` process, its stderr logged
* stop      SIGTERM/SIGINT as a request to stop after the page in flight
* scheduler the BlockingScheduler, its persistent job store, standby and a clean stop
* status    each job at a glance for `tracker status`
"""
