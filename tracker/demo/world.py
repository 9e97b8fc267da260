"""The demo world: a handful of studies and papers about magnetic stimulation in ALS, written
for the demo in the registries' own formats (ClinicalTrials.gov v2 JSON, PubMed efetch XML,
Europe PMC search JSON) by the simulator's record builders. Invented records: no real trial
or paper is described, except the index result the shipped config watches.

`first_week` fills the simulator; `next_week` moves every registry's clock on seven days
and changes the world the way a real week can: a trial stops, results are posted, a paper
is retracted, a new paper appears. One review escapes every query and is found only because
it cites the index paper."""

from __future__ import annotations

from tracker.simulator import RegistrySimulator, from_pubmed, make_article, make_study
from tracker.simulator.pubmed_records import Article

START = "2026-11-23"
"""The registries' date in the first week (a Monday)."""

ALS = ["Amyotrophic Lateral Sclerosis"]
ALS_MESH = (("D000690", "Amyotrophic Lateral Sclerosis", False, (("Q000628", "therapy", True),)),)
TMS_MESH = (
    ("D013548", "Transcranial Magnetic Stimulation", True, (("Q000379", "methods", False),)),
)

STOPS = "NCT06000101"
"""The trial that stops in the second week."""
POSTS = "NCT06000102"
"""The trial whose results are posted in the second week."""
RETRACTED = "39900003"
"""The paper retracted in the second week."""
NIBS_REVIEW = "39900005"
"""A review only the citation chase finds: it cites the index paper."""


def first_week(sim: RegistrySimulator) -> None:
    for world in (sim.ctgov, sim.pubmed, sim.europepmc):
        world.today = START
    sim.ctgov.add_many(
        [
            make_study(
                "NCT04393467",
                title="Transcranial static magnetic stimulation in amyotrophic lateral sclerosis",
                conditions=ALS,
                interventions=[("DEVICE", "tSMS"), ("DEVICE", "sham tSMS")],
                status="COMPLETED",
                with_results=True,
                last_update="2024-08-01",
                start_date="2020-06",
                primary_completion="2023-06-30",
                sponsor="Campus Bio-Medico University",
                outcome_measures=["ALSFRS-R progression rate", "Tracheostomy-free survival"],
                p_values=("0.41", "0.02"),
            ),
            make_study(
                STOPS,
                title="Home tSMS to slow progression in ALS: a sham-controlled trial",
                conditions=ALS,
                interventions=[("DEVICE", "tSMS")],
                enrollment=120,
                last_update="2026-09-15",
                start_date="2025-03",
                primary_completion="2027-12-31",
                outcome_measures=["ALSFRS-R progression rate", "Tracheostomy-free survival"],
            ),
            make_study(
                POSTS,
                title="Repetitive TMS over the motor cortex in ALS",
                conditions=ALS,
                interventions=[("DEVICE", "rTMS")],
                status="COMPLETED",
                enrollment=60,
                last_update="2026-06-02",
                start_date="2024-09",
                primary_completion="2026-03-31",
                outcome_measures=["ALSFRS-R change at 6 months", "Survival without ventilation"],
            ),
            make_study(
                "NCT06000103",
                title="Cortical excitability in ALS",
                conditions=ALS,
                interventions=[("DRUG", "Riluzole")],
                outcome_measures=["Resting motor threshold by transcranial magnetic stimulation"],
                study_type="OBSERVATIONAL",
                phases=None,
                last_update="2026-05-20",
            ),
        ]
    )
    articles = [
        make_article(
            "39900001",
            title="Transcranial static magnetic stimulation in ALS: a sham-controlled trial",
            abstract=(
                ("BACKGROUND", "BACKGROUND", "Static magnetic stimulation at home in ALS."),
                (
                    "RESULTS",
                    "RESULTS",
                    "ALSFRS-R progression did not differ; tracheostomy-free survival was "
                    "longer with real stimulation (p=0.02).",
                ),
            ),
            mesh=ALS_MESH,
            doi="10.1016/j.lanepe.2024.101019",
            entrez_date="2024/07/10",
            mdat="2024/07/12",
        ),
        make_article(
            "39900002",
            title="Theta burst stimulation in ALS: an open-label pilot",
            abstract=(
                (
                    None,
                    None,
                    "Ten people with amyotrophic lateral sclerosis (motor neurone disease) "
                    "received iTBS for four weeks; earlier pilots used tSMS or rTMS.",
                ),
            ),
            mesh=ALS_MESH + TMS_MESH,
            pub_types=(("D016428", "Journal Article"),),
            databanks=(),
            year="2026",
            month="Oct",
            entrez_date="2026/10/05",
            mdat="2026/10/06",
        ),
        make_article(
            RETRACTED,
            title="Deep TMS prolongs survival in motor neuron disease",
            abstract=((None, None, "Deep TMS in 30 people with ALS; survival improved (p=0.01)."),),
            mesh=ALS_MESH + TMS_MESH,
            databanks=(),
            year="2026",
            month="Sep",
            entrez_date="2026/09/12",
            mdat="2026/09/14",
        ),
    ]
    sim.pubmed.add_many(articles)
    sim.europepmc.add_many([from_pubmed(a) for a in articles])
    sim.pubmed.add(_nibs_review())


def _nibs_review() -> Article:
    """A review no query finds (no "magnetic", no MeSH, the disease only as "ALS"): the
    demo's first sync fetches it because it cites the index paper."""
    return make_article(
        NIBS_REVIEW,
        title="Noninvasive brain stimulation (NIBS) for ALS: a systematic review",
        abstract=(
            (
                None,
                None,
                "Non-invasive brain stimulation, a form of neuromodulation, has been tried to "
                "slow ALS. We reviewed sham-controlled trials of noninvasive brain "
                "stimulation in people with ALS; the evidence was insufficient to conclude.",
            ),
        ),
        mesh=(),
        pub_types=(("D016428", "Journal Article"), ("D000078182", "Systematic Review")),
        databanks=(),
        year="2025",
        month="Mar",
        entrez_date="2025/03/03",
        mdat="2025/03/04",
        references=(("Di Lazzaro V. 2024", "39900001"),),
    )


def next_week(sim: RegistrySimulator) -> list[str]:
    """Move every registry on seven days and change the world; returns what changed."""
    for world in (sim.ctgov, sim.pubmed, sim.europepmc):
        world.advance(7)
    sim.ctgov.set_status(STOPS, "TERMINATED", why_stopped="Futility at the interim analysis")
    sim.ctgov.post_results(POSTS, p_values=("0.04", "0.20"))
    sim.pubmed.retract(RETRACTED, "39900099")
    today = sim.pubmed.today
    paper = make_article(
        "39900004",
        title="Magnetic stimulation for ALS: a systematic review and meta-analysis",
        abstract=(
            (
                None,
                None,
                "Four controlled trials of tSMS, rTMS and theta burst stimulation in "
                "amyotrophic lateral sclerosis (motor neurone disease).",
            ),
        ),
        mesh=ALS_MESH + TMS_MESH,
        pub_types=(("D016428", "Journal Article"), ("D017418", "Meta-Analysis")),
        databanks=(),
        year=today[:4],
        month="Nov",
        entrez_date=today,
        mdat=today,
    )
    sim.pubmed.add(paper)
    sim.europepmc.add(from_pubmed(paper))
    return [
        f"{STOPS} stopped (terminated for futility)",
        f"{POSTS} posted its results",
        f"PMID:{RETRACTED} was retracted",
        "PMID:39900004, a meta-analysis, was published",
    ]
