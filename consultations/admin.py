"""Consultations and the moderation queue in the admin.

Editors draft consultations and Publishers publish them, as any content. Moderators work the
queue of submissions: confirmed input only (an unconfirmed one never reaches them), filtered
by state, consultation, pillar, country, kind of sender, language and flags; bulk actions
move submissions between states; the change form carries the official answer, the agenda
items a submission shaped and staff notes. Every write goes through the publishing service
(dialogue/publishing/service.py), which checks the Moderator role and keeps versions.
Email addresses are shown, searched and exported only with `consultations.view_sender_email`.
"""

import csv

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dialogue import publishing
from dialogue.admin.filters import PublicationFilter
from dialogue.admin.workflow import PublishableAdmin, WorkflowAdmin, WorkflowAdminForm, both
from dialogue.publishing import history
from security.audit import record_export

from .models import Consultation, Submission

# Before the VersionAdmin classes below register the models their own way (without the
# exclusions that keep personal data out of versions).
history.register_models("consultations")

EMAIL_PERMISSION = "consultations.view_sender_email"


def can_see_emails(request):
    return request.user.has_perm(EMAIL_PERMISSION)


@admin.register(Consultation)
class ConsultationAdmin(PublishableAdmin):
    list_display = ["title", "year", "state", "opens_at", "closes_at", "meeting", "publication"]
    list_select_related = ["meeting"]
    list_filter = [PublicationFilter, "publication_status", "year"]
    search_fields = [*both("title", "summary"), "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
    autocomplete_fields = ["meeting"]
    filter_horizontal = ["pillars"]
    fieldsets = [
        (None, {"fields": [both("title"), "slug", ("year", "meeting"), "summary"]}),
        (_("What it asks"), {"fields": ["introduction", "questions", "pillars"]}),
        (
            _("Window"),
            {
                "fields": [("opens_at", "closes_at")],
                "description": _(
                    "Times in UTC. Visitors see them in Washington's and Mexico City's time."
                ),
            },
        ),
        (_("Response"), {"fields": ["answered_at", "outcome"]}),
        PublishableAdmin.publication_fieldset,
        (None, {"fields": ["notes", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("state"))
    def state(self, obj):
        return obj.get_state_display()


class FlagFilter(admin.SimpleListFilter):
    """Submissions that deserve a closer look."""

    title = _("flags")
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return [
            ("any", _("Any flag")),
            ("no-proof", _("No proof of work (sent without JavaScript)")),
            ("links", _("Many links")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "any":
            return queryset.filter(Q(proof_of_work=False) | Q(many_links=True))
        if value == "no-proof":
            return queryset.filter(proof_of_work=False)
        if value == "links":
            return queryset.filter(many_links=True)
        return queryset


class AnswerFilter(admin.SimpleListFilter):
    title = _("official answer")
    parameter_name = "answer"

    def lookups(self, request, model_admin):
        return [("published", _("Published")), ("missing", _("Not published"))]

    def queryset(self, request, queryset):
        if self.value() == "published":
            return queryset.filter(answered_at__isnull=False)
        if self.value() == "missing":
            return queryset.filter(answered_at__isnull=True)
        return queryset


class SubmissionForm(WorkflowAdminForm):
    publish_answer = forms.BooleanField(
        label=_("Publish the answer"),
        required=False,
        help_text=_("Shown with today's date on the submission's public page (accepted ones)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publish_answer"].initial = self.instance.answered_at is not None
        if "state" in self.fields:
            allowed = {"in-review", "accepted", "declined", "merged", "spam", self.instance.state}
            self.fields["state"].choices = [
                choice for choice in self.fields["state"].choices if choice[0] in allowed
            ]
        if "merged_into" in self.fields and self.instance.pk:
            self.fields["merged_into"].queryset = (
                Submission.objects.queue()
                .filter(consultation_id=self.instance.consultation_id)
                .exclude(pk=self.instance.pk)
            )

    def clean(self):
        cleaned = super().clean()
        submission = self.instance
        if cleaned.get("publish_answer") and cleaned.get("state") != Submission.State.ACCEPTED:
            self.add_error("publish_answer", _("Only an accepted submission can be answered."))
        if cleaned.get("publish_answer") and not any(
            (cleaned.get(name) or "").strip() for name in both("answer")
        ):
            self.add_error("publish_answer", _("Write the answer before publishing it."))
        if (
            cleaned.get("state") == Submission.State.DECLINED
            and not (cleaned.get("decline_reason") or "").strip()
        ):
            self.add_error("decline_reason", _("Give the reason: it is sent to the sender."))
        if cleaned.get("state") == Submission.State.MERGED and not cleaned.get("merged_into"):
            self.add_error("merged_into", _("Say which submission it was merged into."))
        if submission.pk and cleaned.get("publish_answer"):
            submission.answered_at = submission.answered_at or timezone.now()
        else:
            submission.answered_at = None
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, sent to the senders"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        max_length=2000,
    )


class MergeForm(forms.Form):
    target = forms.CharField(
        label=_("Reference of the submission they say the same as"), max_length=20
    )


@admin.register(Submission)
class SubmissionAdmin(WorkflowAdmin):
    form = SubmissionForm
    list_display = [
        "reference",
        "short_title",
        "consultation",
        "pillar",
        "sender_kind",
        "country",
        "language",
        "state",
        "flags",
        "confirmed_at",
    ]
    list_display_links = ["reference", "short_title"]
    list_select_related = ["consultation", "pillar"]
    list_filter = [
        "state",
        "consultation",
        "pillar",
        "country",
        "sender_kind",
        "language",
        FlagFilter,
        AnswerFilter,
    ]
    list_per_page = 50
    date_hierarchy = "confirmed_at"
    autocomplete_fields = ["agenda_items"]
    raw_id_fields = ["merged_into"]
    actions = ["mark_in_review", "accept", "decline", "merge", "mark_spam", "export_csv"]
    content_fields = [
        "reference",
        "consultation",
        "language",
        "title",
        "shown_text",
        "pillar",
        "sector_names",
        "sender_kind",
        "organization",
        "country",
        "name",
        "email",
        "display",
        "public_attribution",
    ]
    record_fields = [
        "flags",
        "privacy_notice_version",
        "consented_at",
        "confirmed_at",
        "state_changed_at",
        "answered_at",
        "withdrawn_at",
        "erased_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).queue()

    def has_add_permission(self, request):
        return False  # submissions come from the public form

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj) and publishing.can_moderate(
            request.user
        )
        return allowed and (obj is None or obj.state != Submission.State.WITHDRAWN)

    def get_fieldsets(self, request, obj=None):
        content = [
            name for name in self.content_fields if name != "email" or can_see_emails(request)
        ]
        return [
            (_("What was sent"), {"fields": content}),
            (
                _("Moderation"),
                {"fields": ["state", "decline_reason", "merged_into", "staff_notes"]},
            ),
            (
                _("Official answer"),
                {"fields": [*both("answer"), "publish_answer", "agenda_items"]},
            ),
            (_("Record"), {"fields": self.record_fields}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = [*self.content_fields, *self.record_fields]
        if not self.has_change_permission(request, obj):
            readonly += ["state", "decline_reason", "merged_into", "staff_notes", "agenda_items"]
            readonly += [*both("answer"), "publish_answer"]
        return readonly

    def get_search_fields(self, request):
        fields = ["reference", "title", "text", "organization", "name"]
        return [*fields, "email"] if can_see_emails(request) else fields

    @admin.display(description=_("title"), ordering="title")
    def short_title(self, obj):
        return obj.title if len(obj.title) <= 60 else f"{obj.title[:57]}…"

    @admin.display(description=_("text"))
    def shown_text(self, obj):
        # Escaped like every other value; line breaks kept.
        return format_html('<div class="submission-text">{}</div>', obj.text)

    @admin.display(description=_("sectors"))
    def sector_names(self, obj):
        return ", ".join(sector.name for sector in obj.sectors.all()) or "—"

    @admin.display(description=_("shown publicly as"))
    def public_attribution(self, obj):
        return obj.attribution

    @admin.display(description=_("flags"))
    def flags(self, obj):
        found = []
        if not obj.proof_of_work:
            found.append(_("no proof of work"))
        if obj.many_links:
            found.append(_("many links"))
        if not found:
            return "—"
        return format_html_join(", ", "<strong>{}</strong>", ((flag,) for flag in found))

    # Writes: through the publishing service, which checks the role and the transition.

    def save_model(self, request, obj, form, change):
        based_on = form.cleaned_data.get("lock_version") if form.check_lock else None
        publishing.save(request.user, obj, based_on=based_on, log_entry=False)

    def run_moderation(self, request, queryset, state, **options):
        try:
            changed = publishing.moderate(request.user, list(queryset), state, **options)
        except publishing.Refused as refused:
            self.message_user(request, refused.message, messages.ERROR)
            return None
        except publishing.StaleWrite:
            self.message_user(
                request,
                _("A submission changed while you worked: nothing was changed. Try again."),
                messages.ERROR,
            )
            return None
        label = Submission.State(state).label
        self.message_user(
            request,
            ngettext(
                "%(count)d submission moved to “%(state)s”.",
                "%(count)d submissions moved to “%(state)s”.",
                len(changed),
            )
            % {"count": len(changed), "state": label},
            messages.SUCCESS,
        )
        return None

    def has_moderate_permission(self, request):
        return publishing.can_moderate(request.user)

    @admin.action(description=_("Mark as in review"), permissions=["moderate"])
    def mark_in_review(self, request, queryset):
        return self.run_moderation(request, queryset, Submission.State.IN_REVIEW)

    @admin.action(description=_("Accept (publish)"), permissions=["moderate"])
    def accept(self, request, queryset):
        return self.run_moderation(request, queryset, Submission.State.ACCEPTED)

    @admin.action(description=_("Mark as spam"), permissions=["moderate"])
    def mark_spam(self, request, queryset):
        return self.run_moderation(request, queryset, Submission.State.SPAM)

    def intermediate(self, request, queryset, action, form, title):
        return TemplateResponse(
            request,
            "admin/consultations/submission/moderate.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "queryset": queryset,
                "action": action,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "select_across": request.POST.get("select_across", "0"),
            },
        )

    @admin.action(description=_("Decline, with a reason…"), permissions=["moderate"])
    def decline(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            return self.run_moderation(
                request, queryset, Submission.State.DECLINED, reason=form.cleaned_data["reason"]
            )
        return self.intermediate(request, queryset, "decline", form, _("Decline submissions"))

    @admin.action(description=_("Merge into another submission…"), permissions=["moderate"])
    def merge(self, request, queryset):
        form = MergeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            target = (
                Submission.objects.queue()
                .filter(reference=form.cleaned_data["target"].strip().upper())
                .first()
            )
            if target is None:
                form.add_error("target", _("No submission has this reference."))
            else:
                return self.run_moderation(
                    request, queryset.exclude(pk=target.pk), "merged", merged_into=target
                )
        return self.intermediate(request, queryset, "merge", form, _("Merge submissions"))

    @admin.action(description=_("Export the selected submissions (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        with_emails = can_see_emails(request)
        rows = csv_rows(
            queryset.select_related("consultation", "pillar", "merged_into").prefetch_related(
                "sectors", "agenda_items"
            ),
            with_emails=with_emails,
        )
        if with_emails:
            # Names and email addresses leave the site: the audit log records who took them.
            record_export(
                request.user, "submissions with senders' emails", queryset.count(), request
            )
        writer = csv.writer(Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="submissions-{stamp}.csv"'
        return response


class Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer rows."""

    def write(self, value):
        return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A spreadsheet cell that cannot run as a formula (a leading ' neutralizes it)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


CSV_COLUMNS = [
    "reference",
    "consultation",
    "state",
    "received",
    "language",
    "pillar",
    "sectors",
    "sender_kind",
    "country",
    "organization",
    "shown_as",
    "title",
    "text",
    "proof_of_work",
    "many_links",
    "decline_reason",
    "merged_into",
    "answered",
    "answer_en",
    "answer_es",
    "agenda_items",
]


def csv_rows(queryset, *, with_emails=False):
    """The header and one row per submission; names and emails only `with_emails`."""
    header = CSV_COLUMNS + (["name", "email"] if with_emails else [])
    yield header
    for obj in queryset.iterator(chunk_size=500):
        row = [
            obj.reference,
            obj.consultation.slug,
            obj.state,
            obj.confirmed_at.isoformat() if obj.confirmed_at else "",
            obj.language,
            obj.pillar.number if obj.pillar else "",
            "; ".join(sector.slug for sector in obj.sectors.all()),
            obj.sender_kind,
            obj.country,
            obj.organization,
            obj.display,
            obj.title,
            obj.text,
            int(obj.proof_of_work),
            int(obj.many_links),
            obj.decline_reason,
            obj.merged_into.reference if obj.merged_into else "",
            obj.answered_at.isoformat() if obj.answered_at else "",
            obj.answer_en,
            obj.answer_es,
            "; ".join(f"{item.meeting_id}:{item.position}" for item in obj.agenda_items.all()),
        ]
        if with_emails:
            row += [obj.name, obj.email]
        yield [safe_cell(value) for value in row]
