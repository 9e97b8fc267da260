"""Reading elink `citedin` answers: one LinkSet per cited paper when each id is its own
parameter (how the citation chase asks), NCBI's ERROR and broken XML as one-line failures.
The real recording in ../shared/data/real/pubmed is read in place (skipped when absent)."""

from __future__ import annotations

import pytest

from tests import paths
from tracker.errors import SourceError
from tracker.sources.pubmed_links import _link_sets

FIXTURES = paths.FIXTURES / "pubmed"
REAL = paths.SHARED_REAL / "pubmed"


def test_each_cited_paper_gets_its_own_citing_list():
    body = (FIXTURES / "elink_citedin_two_sets.xml").read_bytes()
    assert _link_sets(body, "elink") == {"16979292": ["39800002", "39800001"], "19682544": []}


def test_the_real_neighbor_answer_gives_only_the_citedin_links():
    path = REAL / "biopython_elink_pubmed_neighbor_9298984.xml"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    found = _link_sets(path.read_bytes(), "elink")
    assert list(found) == ["9298984"]
    citing = found["9298984"]
    # pubmed_pubmed (similar articles) and the other link names are left out.
    assert citing[:2] == ["38830800", "38188366"] and "8794856" not in citing
    assert len(citing) == len(set(citing))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<eLinkResult><ERROR>Empty id list - nothing todo</ERROR></eLinkResult>", "NCBI says"),
        (b"<eLinkResult><LinkSet>", "malformed XML"),
    ],
)
def test_an_error_or_broken_answer_is_one_line(body, message):
    with pytest.raises(SourceError) as err:
        _link_sets(body, "elink pubmed_pubmed_citedin 2 PMIDs")
    assert message in str(err.value) and "\n" not in str(err.value)
