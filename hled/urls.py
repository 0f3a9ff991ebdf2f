from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from dialogue import health
from dialogue.sitemaps import SITEMAPS, robots_txt
from security import uploads
from security.reports import csp_report

# An unavailable database or Redis raised outside a view gets the 503 too.
handler500 = "dialogue.middleware.server_error"


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico; send them to the hashed SVG icon."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("dialogue/favicon.svg")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view()),
    # Health checks for load balancers: outside the language prefix, never cached.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Browsers report Content-Security-Policy violations here (bounded, rate-limited).
    path("csp-report/", csp_report, name="csp-report"),
    # Staff two-factor authentication: enrolment, verification, recovery codes.
    path("admin/two-factor/", include("security.urls")),
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
# Public pages live under a language prefix (/en/…, /es/…); "/" redirects to the visitor's
# preferred language (LocaleMiddleware reads the language cookie, then Accept-Language).
urlpatterns += i18n_patterns(
    path("", include("dialogue.urls")),
    path("", include("consultations.urls")),
)

if settings.SERVE_MEDIA:
    urlpatterns += [
        # Uploads are downloaded, never displayed: attachment, sniffing off (security/uploads.py).
        re_path(r"^media/(?P<path>.*)$", uploads.serve_as_attachment),
    ]
