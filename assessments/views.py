from django.shortcuts import render

from assessments import rules
from assessments.sources import SOURCES


def how_it_works(request):
    return render(
        request,
        "assessments/how_it_works.html",
        {
            "rules": rules,
            "rule_table": rules.RULES,
            "notes": rules.NOTES,
            "levels": rules.LEVELS.items(),
            "flag_texts": rules.FLAG_TEXTS.items(),
            "section_titles": rules.SECTION_TITLES.items(),
            "sources": SOURCES.values(),
        },
    )


def sources(request):
    return render(request, "assessments/sources.html", {"sources": SOURCES.values()})


def home(request):
    return render(request, "assessments/home.html")
