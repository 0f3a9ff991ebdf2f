from .models import Page


def site(request):
    """The main-menu pages, read once per request (lazily, so pages that don't show it pay 0)."""
    return {"menu_pages": Page.objects.public().filter(menu_order__isnull=False)}
