"""`tracker demo`: the whole tracker, offline, against the loopback registry simulator and a
small bundled world of real-format records (tracker/demo/world.py)."""
