"""What CareGuide's explanations rest on: five provider articles and published references.

Pure Python (no Django) so that the policy can use it. Every sentence here is our own
summary of the source, never a quotation; the providers' phone numbers, staff names and
sales lines are deliberately left out. A reason or note cites a source only for what that
source says (`says` below), and tests hold every citation to an id here.
"""

from dataclasses import dataclass


def _(text: str) -> str:
    """Marks a string for translation; it is translated where it is shown."""
    return text


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str  # as published: never translated
    publisher: str  # a name, as published; where we describe it instead, marked for translation
    date: str = ""  # a year, or the day an article was posted
    url: str = ""
    says: str = ""  # what CareGuide takes from it, in our own words

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "publisher": self.publisher}


_PROVIDER_ARTICLES = (
    Source(
        "overview",
        "What Is an Intensive Outpatient Program (IOP)?",
        _("An addiction treatment provider (not named in the article)"),
        says=_(
            "Describes inpatient, intensive outpatient and outpatient care; severe addiction "
            "may need care around the clock, mild to moderate addiction does well in IOP, IOP "
            "suits people with a mental health condition too, and it is a step down after "
            "inpatient care."
        ),
    ),
    Source(
        "baltimore",
        "Intensive Outpatient Treatment for Substance Abuse",
        "Baltimore Addiction Rehab",
        "2016-01-07",
        says=_(
            "IOP is for people who do not need medically supervised detox; an assessment "
            "comes first and sends people to detox before IOP when they need it."
        ),
    ),
    Source(
        "zinnia",
        "Intensive Outpatient Program (IOP): What Happens?",
        "Zinnia Health",
        says=_(
            "IOP is a step down after detox, partial hospitalization or a hospital stay; care "
            "around the clock matters most for severe addiction or a mental health condition "
            "at the same time; the choice between residential care and IOP depends on "
            "severity and support at home."
        ),
    ),
    Source(
        "denovo",
        "IOP Addiction Treatment: program overview and FAQ",
        "Denovo Recovery",
        says=_(
            "IOP meets 3 to 5 days a week for 2 to 4 hours, usually for 8 to 12 weeks; it "
            "fits people who need more than weekly outpatient care and have a stable home, "
            "and not people who need medical detox or live in an unstable home."
        ),
    ),
    Source(
        "westsound",
        "3 Reasons To Consider Intensive Outpatient (IOP) Treatment",
        "West Sound Treatment Center",
        says=_(
            "Inpatient care is for people with other medical or psychiatric problems, a high "
            "risk of withdrawal, or a need for a structured setting day and night, often for "
            "30 to 90 days; for most people IOP works as well as inpatient care."
        ),
    ),
)

_PUBLISHED_REFERENCES = (
    Source(
        "tip45",
        "Detoxification and Substance Abuse Treatment (Treatment Improvement Protocol 45)",
        "Substance Abuse and Mental Health Services Administration (SAMHSA)",
        _("2006, revised 2015"),
        "https://www.ncbi.nlm.nih.gov/books/NBK64115/",
        _(
            "How withdrawal is managed and where: withdrawal from alcohol, sedatives and "
            "opioids can need medical care; serious medical or mental health illness and a "
            "history of seizures or delirium call for closer care; stopping sedatives needs "
            "a planned taper."
        ),
    ),
    Source(
        "asam_alcohol_withdrawal",
        "The ASAM Clinical Practice Guideline on Alcohol Withdrawal Management",
        "American Society of Addiction Medicine (ASAM)",
        "2020",
        "https://journals.lww.com/journaladdictionmedicine/Fulltext/2020/06001/"
        "The_ASAM_Clinical_Practice_Guideline_on_Alcohol.1.aspx",
        _(
            "People who drink heavily and regularly are at risk of withdrawal even before "
            "symptoms show; past seizures or delirium, severe symptoms, other illness and "
            "little support at home point to care in a hospital or other facility; managing "
            "withdrawal at home needs frequent check-ins."
        ),
    ),
    Source(
        "samhsa_iop",
        "Clinical Issues in Intensive Outpatient Treatment for Substance Use Disorders "
        "(Advisory, based on TIP 47)",
        "Substance Abuse and Mental Health Services Administration (SAMHSA)",
        "2021",
        "https://store.samhsa.gov/product/advisory-clinical-issues-intensive-outpatient-"
        "treatment-substance-use-disorders/pep20-02-01-021",
        _(
            "IOP offers at least 9 hours a week for adults; it serves people stepping down "
            "from inpatient or withdrawal care and people stepping up from outpatient care; "
            "its results are like residential care for people with little risk from "
            "withdrawal, health or mental health; it helps build a recovery network."
        ),
    ),
    Source(
        "dsm5",
        "Diagnostic and Statistical Manual of Mental Disorders, Fifth Edition (DSM-5)",
        "American Psychiatric Association",
        "2013",
        "https://doi.org/10.1176/appi.books.9780890425596",
        _(
            "The eleven criteria of a substance use disorder; 2 to 3 is mild, 4 to 5 is "
            "moderate and 6 or more is severe; tolerance and withdrawal do not count for a "
            "medicine taken as prescribed under medical care."
        ),
    ),
    Source(
        "fda_benzodiazepines",
        "FDA requiring Boxed Warning updated to improve safe use of benzodiazepine drug class",
        "U.S. Food and Drug Administration (FDA)",
        "2020",
        "https://www.fda.gov/drugs/drug-safety-and-availability/"
        "fda-requiring-boxed-warning-updated-improve-safe-use-benzodiazepine-drug-class",
        _(
            "The body can come to depend on benzodiazepines within days to weeks, even as "
            "prescribed; stopping suddenly or cutting down too fast can cause withdrawal, "
            "including seizures; a doctor plans a slow taper."
        ),
    ),
    Source(
        "acog_pregnancy",
        "Opioid Use and Opioid Use Disorder in Pregnancy (Committee Opinion 711)",
        "American College of Obstetricians and Gynecologists (ACOG), with ASAM",
        "2017",
        "https://www.acog.org/clinical/clinical-guidance/committee-opinion/articles/2017/08/"
        "opioid-use-and-opioid-use-disorder-in-pregnancy",
        _(
            "In pregnancy, treatment with buprenorphine or methadone is the recommended care "
            "for opioid use disorder, better than stopping opioids; early treatment improves "
            "outcomes for parent and baby."
        ),
    ),
    Source(
        "tip63",
        "Medications for Opioid Use Disorder (Treatment Improvement Protocol 63)",
        "Substance Abuse and Mental Health Services Administration (SAMHSA)",
        "2021",
        "https://store.samhsa.gov/product/TIP-63-Medications-for-Opioid-Use-Disorder-"
        "Full-Document/PEP21-02-01-002",
        _(
            "Buprenorphine, methadone and naltrexone treat opioid use disorder and can be "
            "given alongside counseling in any setting; people on them keep taking them as "
            "prescribed."
        ),
    ),
    Source(
        "hhs_overdose",
        "Opioid Overdose Response",
        "U.S. Department of Health and Human Services (HHS)",
        "2021",
        "https://www.hhs.gov/opioids/treatment/overdose-response/index.html",
        _(
            "An opioid overdose can stop breathing; naloxone (Narcan) given quickly can "
            "reverse it, and it should be in the hands of the people around someone at risk."
        ),
    ),
    Source(
        "lifeline988",
        "988 Suicide & Crisis Lifeline",
        "Substance Abuse and Mental Health Services Administration (SAMHSA)",
        "2022",
        "https://988lifeline.org/",
        _(
            "Call or text 988 at any hour for free, private support in a suicidal, mental "
            "health or substance use crisis; in danger, call 911."
        ),
    ),
    Source(
        "block_grant",
        "Substance Abuse Prevention and Treatment Block Grant (45 CFR 96.126 and 96.131)",
        "U.S. Department of Health and Human Services (Code of Federal Regulations)",
        "1993",
        "https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-L/part-96",
        _(
            "Programs paid by the block grant admit pregnant people first, and admit people "
            "who inject drugs within 14 days of asking, or within 120 days with interim "
            "services within 48 hours."
        ),
    ),
    Source(
        "part2",
        "Confidentiality of Substance Use Disorder Patient Records (42 CFR Part 2)",
        "U.S. Department of Health and Human Services (Code of Federal Regulations)",
        "2024",
        "https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2",
        _(
            "Treatment records are confidential; a program may tell a court, probation "
            "officer or employer about a person's treatment only with that person's written "
            "consent."
        ),
    ),
    Source(
        "samhsa_telehealth",
        "Telehealth for the Treatment of Serious Mental Illness and Substance Use Disorders",
        "Substance Abuse and Mental Health Services Administration (SAMHSA)",
        "2021",
        "https://store.samhsa.gov/product/telehealth-treatment-serious-mental-illness-"
        "substance-use-disorders/pep21-06-02-001",
        _(
            "Treatment by video or phone can work for substance use disorders and helps "
            "people who cannot easily travel to a program."
        ),
    ),
    Source(
        "nida_adolescents",
        "Principles of Adolescent Substance Use Disorder Treatment: A Research-Based Guide",
        "National Institute on Drug Abuse (NIDA)",
        "2014",
        "https://nida.nih.gov/publications/principles-adolescent-substance-use-disorder-"
        "treatment-research-based-guide",
        _(
            "Teenagers need treatment made for their age, and families and caregivers take "
            "part in it."
        ),
    ),
    Source(
        "rethinking_drinking",
        "Rethinking Drinking: Alcohol and your health",
        "National Institute on Alcohol Abuse and Alcoholism (NIAAA)",
        "2016",
        "https://www.rethinkingdrinking.niaaa.nih.gov/",
        _(
            "Ways to cut down on your own: keep track of when and how much, set a limit "
            "before you start, have days without any, and talk with a doctor."
        ),
    ),
    Source(
        "two_one_one",
        "211: local help for housing and other needs",
        "United Way Worldwide",
        "2024",
        "https://www.211.org/",
        _(
            "Calling or texting 211 connects people with local help, including housing and "
            "shelter, separate from addiction treatment."
        ),
    ),
)

SOURCES: dict[str, Source] = {
    source.id: source for source in _PROVIDER_ARTICLES + _PUBLISHED_REFERENCES
}
PROVIDER_ARTICLE_IDS = tuple(source.id for source in _PROVIDER_ARTICLES)
