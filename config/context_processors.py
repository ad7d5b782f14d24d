from django.conf import settings


def site(request):
    return {"privacy_notice_version": settings.APORTA_PRIVACY_NOTICE_VERSION}
