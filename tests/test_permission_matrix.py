"""Who may open what: every URL of the site, public and admin, for each kind of visitor.

The expectations come from the roles as the README describes them, written out here, not
from the admin's own permission checks. A new URL that this matrix does not cover fails
`test_the_matrix_covers_every_url`.
"""

import pytest
import reversion
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from reversion.models import Version

from dialogue import publishing
from security.models import AuditEvent, CSPReport
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "editor", "publisher", "moderator", "superuser"]
STAFF = {"editor", "publisher", "moderator", "superuser"}

CONTENT = {
    "meeting", "agreement", "stakeholder", "keyfigure", "page",
    "participation", "agendaitem", "agreementparty", "agreementupdate", "document",
}  # fmt: skip
TAXONOMY = {"pillar", "sector"}
# GET of a version (revision) shows it; restoring it is the POST (tests/test_history.py).
READ = {"changelist", "change", "history", "compare", "revision"}
WRITE = {"add", "delete", "recover", "recoverlist"}
# Logs the software writes: nobody adds to them; the audit log cannot even be deleted.
LOGS = {"auditevent", "accessattempt", "accesslog", "accessfailurelog"}


def may(role, app, model, action):
    """Whether `role` may use the admin view `action` of `app.model` (the README's roles)."""
    if model == "submission" and action in {"add", "recover", "recoverlist"}:
        return False  # submissions come from the public form only; none comes back
    if role == "superuser":
        if model == "auditevent":
            return action in READ
        return not (model in LOGS | {"cspreport"} and action == "add")
    if role == "moderator":
        # Moderators work the submissions; they read the consultations, meetings and agenda
        # items the submissions point to.
        if model == "submission":
            return action in READ
        return model in {"consultation", "meeting", "agendaitem"} and action in READ
    if role not in STAFF or app not in {"dialogue", "consultations"}:
        return False  # users, groups, devices, logs: superusers only
    if model == "submission":
        return False  # Editors and Publishers never see public input
    if model in CONTENT | {"consultation"}:
        return True
    if model in TAXONOMY:
        return role == "publisher" or action in READ  # editors pick them from lists
    return False


@pytest.fixture
def world(django_user_model):
    users = {
        "member": django_user_model.objects.create_user("member", password="x"),
        "editor": factories_user(django_user_model, "editor-e", "Editor"),
        "publisher": factories_user(django_user_model, "publisher-p", "Publisher"),
        "moderator": factories_user(django_user_model, "moderator-m", "Moderator"),
        "superuser": django_user_model.objects.create_superuser("root", password="x"),
    }
    root = users["superuser"]
    meeting = factories.MeetingFactory(draft=True)
    agreement = factories.AgreementFactory(draft=True, origin_meeting=meeting)
    samples = {
        "meeting": meeting,
        "agreement": agreement,
        "stakeholder": factories.StakeholderFactory(draft=True),
        "keyfigure": factories.KeyFigureFactory(draft=True),
        "page": factories.PageFactory(draft=True),
        "participation": factories.ParticipationFactory(meeting=meeting),
        "agendaitem": factories.AgendaItemFactory(meeting=meeting),
        "agreementparty": factories.AgreementPartyFactory(agreement=agreement),
        "agreementupdate": factories.AgreementUpdateFactory(agreement=agreement, draft=True),
        "document": factories.DocumentFactory(meeting=meeting),
        "pillar": factories.PillarFactory(),
        "consultation": factories.ConsultationFactory(draft=True),
        "submission": factories.SubmissionFactory(),
        "sector": factories.SectorFactory(),
        "user": users["editor"],
        "group": Group.objects.get(name="Editor"),
        "auditevent": AuditEvent.objects.create(action="login", username="x"),
        "cspreport": CSPReport.objects.create(directive="script-src"),
        "accessattempt": AccessAttempt.objects.create(
            username="x", ip_address="192.0.2.1", failures_since_start=1
        ),
        "accesslog": AccessLog.objects.create(username="x", ip_address="192.0.2.1"),
        "accessfailurelog": AccessFailureLog.objects.create(username="x", ip_address="192.0.2.1"),
        # Devices of someone else: the superuser's own would ask it for a code first.
        "totpdevice": TOTPDevice.objects.create(user=users["member"], name="phone"),
        "staticdevice": StaticDevice.objects.create(user=users["member"], name="codes"),
    }
    versions = {}
    for name, obj in samples.items():
        if reversion.is_registered(type(obj)):
            publishing.save(root, obj, comment="first")
            publishing.save(root, obj, comment="second")
            versions[name] = Version.objects.get_for_object(obj).first()
    gone = factories.StakeholderFactory(draft=True, slug="gone")
    publishing.delete(root, gone)
    versions["deleted"] = (
        Version.objects.get_for_model(type(gone)).filter(object_id=gone.pk).first()
    )
    public = {
        "meeting": factories.MeetingFactory(slug="public-meeting"),
        "agreement": factories.AgreementFactory(slug="public-agreement"),
        "stakeholder": factories.StakeholderFactory(slug="public-stakeholder"),
        "page": factories.PageFactory(slug="public-page"),
        "pillar": samples["pillar"],
    }
    return users, samples, versions, public


def factories_user(model, username, role):
    user = model.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def client_for(role, users):
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    return client


def admin_urls(samples, versions):
    """(app, model, action, url) for every view of every registered model admin."""
    for model, model_admin in admin.site._registry.items():
        app, name = model._meta.app_label, model._meta.model_name
        obj = samples[name]
        for pattern in model_admin.get_urls():
            if pattern.name is None:
                continue  # the old-style redirect to the change view
            action = pattern.name.removeprefix(f"{app}_{name}_")
            if action in {"changelist", "add", "recoverlist"}:
                url = reverse(f"admin:{pattern.name}")
            elif action in {"change", "delete", "history"}:
                url = reverse(f"admin:{pattern.name}", args=[obj.pk])
            elif action == "compare":
                version = versions[name]
                older = Version.objects.get_for_object(obj).last()
                url = reverse(f"admin:{pattern.name}", args=[obj.pk])
                url += f"?from={older.pk}&to={version.pk}"
            elif action == "revision":
                url = reverse(f"admin:{pattern.name}", args=[obj.pk, versions[name].pk])
            elif action == "recover":
                url = reverse(f"admin:{pattern.name}", args=[versions[name].pk])
            elif action in {"config", "qrcode"}:  # the authenticator's set-up, superusers only
                url = reverse(f"admin:{pattern.name}", kwargs={"pk": obj.pk})
                action = "change"
            elif action in {"import", "export"}:  # spreadsheets
                url = reverse(f"admin:{pattern.name}")
                action = "changelist" if action == "export" else "add"
            elif action == "process_import":  # confirms an import: POST only
                url, action = reverse(f"admin:{pattern.name}"), "post"
            elif action == "duplicate":  # as next meeting: POST only
                url, action = reverse(f"admin:{pattern.name}", args=[obj.pk]), "post"
            elif action == "password_change":
                url = reverse(f"admin:{pattern.name}", args=[obj.pk])
                action = "add"
            else:
                raise AssertionError(f"unknown admin view {pattern.name}")
            yield app, name, action, url, pattern.name


def test_admin_views_by_role(world):
    users, samples, versions, _public = world
    problems = []
    for role in ROLES:
        client = client_for(role, users)
        for app, model, action, url, _name in admin_urls(samples, versions):
            response = client.get(url)
            status = response.status_code
            if role in {"anonymous", "member"}:
                ok = status == 302 and response["Location"].startswith(reverse("admin:login"))
            elif action == "post":
                ok = status in (403, 405)  # a GET changes nothing; tests/test_admin_editing.py
            elif may(role, app, model, action):
                ok = status in (200, 302) and not response.get("Location", "").startswith(
                    reverse("admin:login")
                )
            else:
                ok = status == 403 or (status == 302 and model in TAXONOMY | CONTENT)
            if not ok:
                problems.append(f"{role} {action} {app}.{model} {url}: {status}")
    assert not problems, "\n".join(problems)


def test_site_wide_admin_views_by_role(world):
    users, samples, _versions, _public = world
    meeting = samples["meeting"]
    on_site = reverse(
        "admin:view_on_site",
        args=[ContentType.objects.get_for_model(meeting).pk, meeting.pk],
    )
    views = {
        reverse("admin:index"): 200,
        reverse("admin:password_change"): 200,
        reverse("admin:app_list", args=["dialogue"]): 200,
        reverse("admin:autocomplete")
        + "?app_label=dialogue&model_name=participation&field_name=stakeholder": 200,
        on_site: 302,
        reverse("security:mfa-manage"): 200,
        reverse("security:mfa-setup"): 200,
        reverse("security:mfa-verify"): 302,  # nothing to verify: back to the admin
    }
    # Moderators pick agenda items, not participants' stakeholders.
    autocomplete = next(url for url in views if "autocomplete" in url)
    for role in ROLES:
        client = client_for(role, users)
        for url, staff_status in views.items():
            status = client.get(url).status_code
            expected = staff_status if role in STAFF else 302
            if role == "moderator" and url == autocomplete:
                expected = 403
            assert status == expected, (role, url, status)
        assert client.get(reverse("admin:login")).status_code in (200, 302)
        expected = 200 if role in STAFF else 302
        assert client.get(reverse("admin:jsi18n")).status_code == expected
    # Superusers only: users, groups and the security apps on the admin's index.
    for role in ("editor", "publisher"):
        page = client_for(role, users).get(reverse("admin:index")).content.decode()
        for app in ("auth/user", "security/auditevent", "axes/accessattempt", "otp_totp"):
            assert f"/admin/{app}" not in page, (role, app)


def test_public_pages_by_role(world):
    users, samples, _versions, public = world
    detail = {
        "meeting-detail": "meeting",
        "agreement-detail": "agreement",
        "stakeholder-detail": "stakeholder",
        "page-detail": "page",
        "pillar-detail": "pillar",
    }
    for role in ROLES:
        client = client_for(role, users)
        for name in ("home", "meeting-list", "agreement-list", "stakeholder-list"):
            assert client.get(reverse(f"dialogue:{name}")).status_code == 200, (role, name)
        for name, model in detail.items():
            url = reverse(f"dialogue:{name}", kwargs={"slug": public[model].slug})
            assert client.get(url).status_code == 200, (role, name)
            if model == "pillar":
                continue  # pillars have no draft state
            draft = reverse(f"dialogue:{name}", kwargs={"slug": samples[model].slug})
            # A preview, for staff who may view that kind of record in the admin.
            previews = role in STAFF - {"moderator"} or (role == "moderator" and model == "meeting")
            expected = 200 if previews else 404
            assert client.get(draft).status_code == expected, (role, name)
        # Discovery channels are the same for everyone: public records only, no previews.
        for url in (
            reverse("dialogue:search") + "?q=meeting",
            reverse("dialogue:meeting-feed", kwargs={"format": "rss"}),
            reverse("dialogue:meetings-ics"),
            reverse("dialogue:data"),
            reverse("dialogue:progress"),
            reverse("dialogue:follow"),
            reverse("dialogue:meeting-factsheet", kwargs={"slug": public["meeting"].slug}),
            "/sitemap.xml",
            "/robots.txt",
            reverse("api:api-root"),
            reverse("api:meeting-list"),
            reverse("api:meeting-detail", kwargs={"slug": public["meeting"].slug}),
        ):
            assert client.get(url).status_code == 200, (role, url)
        hidden = reverse("api:meeting-detail", kwargs={"slug": samples["meeting"].slug})
        assert client.get(hidden).status_code == 404, (role, hidden)
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.get("/favicon.ico").status_code == 301
        assert client.get("/csp-report/").status_code == 405
        assert client.get(reverse("set_language")).status_code in (302, 405)


def test_a_staff_member_without_view_permission_gets_no_preview(django_user_model):
    meeting = factories.MeetingFactory(draft=True)
    bare = django_user_model.objects.create_user("bare", password="x", is_staff=True)
    client = Client()
    client.force_login(bare)
    assert client.get(meeting.get_absolute_url()).status_code == 404


def all_routes(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from all_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name


def test_the_matrix_covers_every_url(world):
    """Every route is one of those exercised above."""
    _users, samples, versions, _public = world
    covered = {name for *_rest, name in admin_urls(samples, versions)}
    covered |= {
        "index", "login", "logout", "password_change", "password_change_done", "autocomplete",
        "jsi18n", "view_on_site", "app_list", "healthz", "readyz", "csp-report",
        "set_language", "mfa-manage", "mfa-setup", "mfa-verify", "mfa-recovery-codes",
        "mfa-disable", "home", "meeting-list", "meeting-detail", "agreement-list",
        "agreement-detail", "stakeholder-list", "stakeholder-detail", "pillar-detail",
        "page-detail", "consultation-list", "consultation-detail", "confirm", "sent", "manage",
        "submission-list", "submission-detail", "privacy", "privacy-version",
        # Discovery channels (tests/test_feeds.py, test_calendars.py, test_opendata.py,
        # test_sharing.py, test_api.py; the draft canary walks them all).
        "search", "robots", "sitemap", "django.contrib.sitemaps.views.sitemap", "data",
        "data-csv", "data-json", "data-zip", "meeting-feed", "agreement-feed",
        "agreement-updates-feed", "update-feed", "pillar-feed", "stakeholder-feed",
        "meeting-ics", "meetings-ics", "pillar-ics", "api-root", "schema", "docs",
        "agendaitem-list",
        "agendaitem-detail", "update-list", "update-detail", "document-list",
        "document-detail", "keyfigure-list", "keyfigure-detail", "pillar-list",
        "sector-list", "sector-detail",
        # Commitment tracking (tests/test_tracking.py, test_follow.py).
        "progress", "meeting-factsheet", "meeting-factsheet-pdf", "follow", "follow-confirm",
        "follow-unsubscribe",
    }  # fmt: skip
    unnamed = {"favicon.ico", "admin/(?P<url>.*)$", "^media/(?P<path>.*)$"}
    missing = [
        route
        for route, name in all_routes()
        if name not in covered
        and not (name is None and any(route.endswith(u) for u in unnamed))
        and not (name is None and route.endswith("<path:object_id>/"))
    ]
    assert not missing, missing
