"""The email report: compose the digest as text + HTML, send it over SMTP, mark it sent.

Named `tracker.email`; the standard library's `email` package stays reachable because
every import in tracker is absolute.
"""
