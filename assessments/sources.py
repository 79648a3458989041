"""The five articles CareGuide's explanations rest on, and what each rule takes from them.

Pure Python (no Django) so that `rules.py` can use it. Every sentence here is our own
summary of the source, never a quotation; the providers' phone numbers, staff names and
sales lines are deliberately left out.
"""

from dataclasses import dataclass


def _(text: str) -> str:
    """Marks a string for translation; it is translated where it is shown."""
    return text


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str
    date: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "publisher": self.publisher}


SOURCES: dict[str, Source] = {
    source.id: source
    for source in (
        Source(
            "overview",
            "What Is an Intensive Outpatient Program (IOP)?",
            "An addiction treatment provider (not named in the article)",
        ),
        Source(
            "baltimore",
            "Intensive Outpatient Treatment for Substance Abuse",
            "Baltimore Addiction Rehab",
            "2016-01-07",
        ),
        Source("zinnia", "Intensive Outpatient Program (IOP): What Happens?", "Zinnia Health"),
        Source("denovo", "IOP Addiction Treatment: program overview and FAQ", "Denovo Recovery"),
        Source(
            "westsound",
            "3 Reasons To Consider Intensive Outpatient (IOP) Treatment",
            "West Sound Treatment Center",
        ),
    )
}

# What each rule takes from each source it cites: (rule id, source id) -> the point.
POINTS: dict[tuple[str, str], str] = {
    ("crisis", "zinnia"): _(
        "Inpatient and hospital care give professional oversight around the clock, which "
        "matters most when addiction comes with a mental health condition."
    ),
    ("crisis", "denovo"): _(
        "People who need 24-hour supervision are better served by inpatient care than by IOP."
    ),
    ("medical_detox", "baltimore"): _(
        "When an assessment shows that detox is needed, the person goes to detox before IOP."
    ),
    ("medical_detox", "denovo"): _(
        "IOP is not the best fit for people who need medical detox or 24-hour care for "
        "severe withdrawal."
    ),
    ("medical_detox", "westsound"): _(
        "Inpatient care is the lifeline for people at high risk of withdrawal symptoms."
    ),
    ("unstable_home", "denovo"): _(
        "IOP works best with a stable home; when home is unstable, residential care is "
        "usually more fitting."
    ),
    ("unstable_home", "zinnia"): _(
        "Choosing between residential care and IOP depends on how severe the addiction is "
        "and how much support there is at home."
    ),
    ("unstable_home", "westsound"): _(
        "Some people need a structured setting 24 hours a day, which only inpatient care gives."
    ),
    ("psychiatric_risk", "zinnia"): _(
        "Round-the-clock oversight is essential when addiction comes with a mental health "
        "condition that is not under control."
    ),
    ("psychiatric_risk", "westsound"): _(
        "Inpatient care is the lifeline for people with other psychiatric issues."
    ),
    ("medical_risk", "westsound"): _(
        "Inpatient care is the lifeline for people with other medical issues."
    ),
    ("severe_use", "overview"): _(
        "Inpatient programmes are built for severe addiction, with monitoring and care "
        "24 hours a day."
    ),
    ("severe_use_at_home", "overview"): _(
        "Someone with a severe addiction may need inpatient care, though not always."
    ),
    ("severe_use_at_home", "westsound"): _(
        "Studies reported by SAMHSA found that IOP works as well as inpatient care for most "
        "people."
    ),
    ("step_down", "overview"): _(
        "IOP is a good next step for people who have finished inpatient treatment but still "
        "need a high level of care."
    ),
    ("step_down", "zinnia"): _(
        "IOP is often the step down after detox, partial hospitalisation or a hospital stay."
    ),
    ("step_down", "denovo"): _(
        "IOP suits people who have finished detox or residential treatment and need "
        "continued support."
    ),
    ("moderate_use", "overview"): _(
        "People with mild to moderate addiction have been shown to do well in IOP."
    ),
    ("withdrawal_watch", "baltimore"): _(
        "An assessment checks your body and mind first and decides whether you need detox."
    ),
    ("withdrawal_watch", "denovo"): _(
        "IOP is not meant for people who need 24-hour supervision for severe withdrawal."
    ),
    ("co_occurring", "overview"): _(
        "IOP is well suited to people who live with both addiction and a mental health condition."
    ),
    ("co_occurring", "zinnia"): _(
        "IOP teams include psychiatric care: medicines when needed and close follow-up."
    ),
    ("outpatient_not_enough", "denovo"): _(
        "IOP is for people who need more care than weekly outpatient sessions give."
    ),
    ("mild_use", "overview"): _(
        "Outpatient care suits less severe use and lets you live at home and keep up with "
        "work and family."
    ),
    ("no_disorder_signs", "baltimore"): _(
        "A professional assessment tells whether treatment is needed and which kind."
    ),
}


def point(rule_id: str, source_id: str) -> str:
    return POINTS[(rule_id, source_id)]
