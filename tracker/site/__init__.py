"""The static evidence website (`tracker site`): HTML pages, SVG charts and an Atom feed,
built from the database alone, to be served by any static host or opened from disk."""
