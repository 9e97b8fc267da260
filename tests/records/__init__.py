"""Pure record values (tracker.records): change events, links, registrations."""
