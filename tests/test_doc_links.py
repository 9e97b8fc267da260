"""Every relative link of README.md and docs/*.md resolves: the file (or folder) exists, and
an #anchor names a heading of the target as GitHub would slug it. No network: web links
are not followed."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.M)
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.M)
HTML_ID = re.compile(r"<a\s[^>]*\b(?:id|name)=\"([^\"]+)\"", re.I)


def prose(markdown: str) -> str:
    """The text without fenced code blocks (a link shown as code is not a link)."""
    return FENCE.sub("", markdown)


def links(markdown: str) -> list[str]:
    text = CODE.sub("", prose(markdown))
    return INLINE.findall(text) + REFERENCE.findall(text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text as rendered (code spans, emphasis and link
    targets gone), lower-cased, every character but letters, digits, marks, '_', '-' and
    spaces dropped, spaces made hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = re.sub(r"(\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w)|`+)", "", text)
    kept = [
        ch
        for ch in text.lower()
        if ch in "-_ " or unicodedata.category(ch)[0] in "LNM"  # letters, numbers, marks
    ]
    return "".join(kept).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every anchor of a page: its headings' slugs (a repeat gets -1, -2, ...) and HTML ids."""
    seen: dict[str, int] = {}
    found = set(HTML_ID.findall(markdown))
    for _, title in HEADING.findall(prose(markdown)):
        base = slug(title)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken(page: Path) -> list[str]:
    problems = []
    for target in links(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md":
            if anchor not in anchors(resolved.read_text(encoding="utf-8")):
                problems.append(f"{target}: no heading #{anchor} in {path or page.name}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    assert broken(page) == []


def test_the_checker_sees_links_anchors_and_slugs_as_github_does(tmp_path: Path) -> None:
    assert slug("Scheduling") == "scheduling"
    assert slug("`tracker digest` and the window") == "tracker-digest-and-the-window"
    assert slug("What is stored, and what the digest shows?") == (
        "what-is-stored-and-what-the-digest-shows"
    )
    assert slug("Start-up (cold) — 80 columns") == "start-up-cold--80-columns"
    assert slug("**Bold** [link](x.md) snake_case") == "bold-link-snake_case"
    assert anchors("# A\n## A\n```\n# not a heading\n```\n## B ##\n") == {"a", "a-1", "b"}
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "x.md").write_text("# Here\n")
    page = tmp_path / "README.md"
    page.write_text(
        "[ok](docs/x.md#here) [self](#top) [gone](docs/y.md) [bad](docs/x.md#there)\n"
        "`[code](nowhere.md)` [web](https://example.org/#x)\n"
        "```sh\n[fenced](nowhere.md)\n```\n"
        "[ref]: docs/missing.md\n"
        "# Top\n"
    )
    assert sorted(broken(page)) == [
        "docs/missing.md: no such file",
        "docs/x.md#there: no heading #there in docs/x.md",
        "docs/y.md: no such file",
    ]
