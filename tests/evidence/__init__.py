"""The evidence engine (tracker.evidence and its pure rules) and the labelled sets it is
measured on."""
