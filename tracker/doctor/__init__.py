"""`tracker doctor`: checks of the set-up, each one line with ok, warn or fail and what to do."""
