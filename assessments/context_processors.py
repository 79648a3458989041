from django.conf import settings


def centre(request):
    return {"centre": settings.CENTRE}
