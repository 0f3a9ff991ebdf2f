"""Public pages of the consultations. Reads go through the public read model only
(`Consultation.objects.public()`, `Submission.objects.public()`).

The consultation page carries the submission form while the consultation is open: it is the
only public page that sets a cookie (CSRF), so it is never cached. The sender's own pages
(confirm, status and withdraw) are reached by signed links, are private and set no cookie:
their forms are authenticated by the link's signature, not by a CSRF cookie.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, ListView, TemplateView, View

from dialogue import publishing
from dialogue.models import Pillar, Side
from dialogue.models.publication import count_of
from dialogue.views import PaginatedFilterView, PreviewMixin

from . import abuse, notify, privacy, tokens
from .filters import SubmissionFilter
from .forms import SubmissionForm
from .models import Consultation, Submission

logger = logging.getLogger(__name__)


def breakdown(queryset, field, labels):
    """[{value, label, count}] of `queryset` grouped by `field`, in the order of `labels`."""
    counts = {
        row[field]: row["count"]
        for row in queryset.order_by().values(field).annotate(count=Count("pk"))
    }
    return [
        {"value": value, "label": label, "count": counts[value]}
        for value, label in labels
        if counts.get(value)
    ]


def pillar_breakdown(queryset):
    pillars = [(pillar.pk, pillar) for pillar in Pillar.objects.public()]
    return breakdown(queryset, "pillar", pillars)


class ConsultationListView(ListView):
    """Every public consultation, newest first, with its state and window."""

    template_name = "consultations/consultation_list.html"
    context_object_name = "consultations"

    def get_queryset(self):
        return Consultation.objects.public().with_counts().order_by("-opens_at")

    def get_paginate_by(self, queryset):
        return settings.PAGINATE_BY


class ConsultationDetailView(PreviewMixin, DetailView):
    """A consultation: what it asks and when; the form while open, a summary of the input."""

    model = Consultation
    template_name = "consultations/consultation_detail.html"

    def get_queryset(self):
        return super().get_queryset().with_public_parts()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if getattr(self, "object", None) is not None and self.object.is_open:
            add_never_cache_headers(response)  # the form page: a CSRF cookie, never cached
        return response

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        consultation = self.object
        accepted = Submission.objects.public_rows().filter(consultation=consultation)
        by_pillar = pillar_breakdown(accepted)
        context.update(
            by_pillar=by_pillar,
            accepted_count=sum(row["count"] for row in by_pillar),
            privacy_version=privacy.CURRENT_VERSION,
        )
        if consultation.is_open:
            context["form"] = form or SubmissionForm(
                consultation=consultation, request=self.request
            )
        return context

    def refuse(self, message, status, form=None):
        context = self.get_context_data(form=form)
        context["refusal"] = message
        response = render(self.request, self.template_name, context, status=status)
        add_never_cache_headers(response)
        return response

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        consultation = self.object
        if not consultation.is_public:
            raise Http404
        if not consultation.is_open:
            if consultation.state == Consultation.State.UPCOMING:
                message = _("This consultation is not open yet: nothing was sent.")
            else:
                message = _("This consultation is closed: nothing was sent.")
            return self.refuse(message, 403)
        form = SubmissionForm(request.POST, consultation=consultation, request=request)
        if not form.is_valid():
            form.refresh_checks()
            return self.refuse(None, 200, form)
        if not abuse.take_slot(request):
            form.refresh_checks()
            form.add_error(
                None,
                _(
                    "Too many submissions were sent from your connection recently. Your text "
                    "is kept below: please send it again later."
                ),
            )
            return self.refuse(None, 429, form)
        proof = bool(form.cleaned_data.get("altcha"))
        submission = form.build(language=translation.get_language(), proof_of_work=proof)
        submission.consented_at = timezone.now()
        try:
            with transaction.atomic():
                Submission.objects.expired_unconfirmed().filter(
                    consultation=consultation, text_hash=submission.text_hash
                ).delete()
                submission.save()
                form.save_m2m()
                # Inside the transaction: a message the mail server refuses stores nothing.
                notify.send_confirmation(submission, request)
        except IntegrityError:
            form.add_error("text", _("The same text was already sent to this consultation."))
            form.refresh_checks()
            return self.refuse(None, 200, form)
        except Exception:
            logger.exception("Could not send the confirmation email")
            form.refresh_checks()
            form.add_error(
                None,
                _(
                    "We could not send the confirmation email just now, so nothing was stored. "
                    "Please try again in a few minutes."
                ),
            )
            return self.refuse(None, 503, form)
        return HttpResponseRedirect(tokens.sent_path(submission))


class PrivateMixin:
    """The sender's own pages: private, never stored by a cache, no cookie set."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
        return response

    def submission_for(self, purpose):
        reference = tokens.read(self.kwargs["token"], purpose)
        submission = (
            Submission.objects.select_related("consultation").filter(reference=reference).first()
            if reference
            else None
        )
        return submission


class SentView(PrivateMixin, TemplateView):
    """Right after sending: the reference, and where the confirmation link went."""

    template_name = "consultations/sent.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        submission = self.submission_for(tokens.SENT)
        if submission is None:
            raise Http404
        context.update(submission=submission, hours=settings.CONSULTATIONS_CONFIRM_HOURS)
        return context


@method_decorator(csrf_exempt, name="dispatch")
class ConfirmView(PrivateMixin, View):
    """The link in the confirmation email: one button that confirms (a mail scanner that opens
    the link does not confirm anything)."""

    template_name = "consultations/confirm.html"

    def get(self, request, token):
        submission = self.submission_for(tokens.CONFIRM)
        return render(request, self.template_name, {"submission": submission, "token": token})

    def post(self, request, token):
        submission = self.submission_for(tokens.CONFIRM)
        if submission is None:
            return render(request, self.template_name, {"submission": None}, status=400)
        confirmed = publishing.confirm(submission)
        if confirmed:
            try:
                notify.send_receipt(submission, request)
            except Exception:
                logger.exception("Could not send the receipt of %s", submission.reference)
        return HttpResponseRedirect(
            tokens.manage_path(submission) + ("?confirmed=1" if confirmed else "")
        )


@method_decorator(csrf_exempt, name="dispatch")
class ManageView(PrivateMixin, View):
    """The sender's page of one submission: its state, the reason if declined, the answer, and
    a button that withdraws it (its content and personal data are erased at once)."""

    template_name = "consultations/manage.html"

    def context(self, submission, **extra):
        return {
            "submission": submission,
            "token": self.kwargs["token"],
            "is_public": submission is not None
            and Submission.objects.public_rows().filter(pk=submission.pk).exists(),
            **extra,
        }

    def get(self, request, token):
        submission = self.submission_for(tokens.MANAGE)
        if submission is None:
            return render(request, self.template_name, self.context(None), status=404)
        confirmed = request.GET.get("confirmed") == "1"
        return render(request, self.template_name, self.context(submission, confirmed=confirmed))

    def post(self, request, token):
        submission = self.submission_for(tokens.MANAGE)
        if submission is None:
            return render(request, self.template_name, self.context(None), status=404)
        if request.POST.get("withdraw") != "1":
            return render(
                request, self.template_name, self.context(submission, must_tick=True), status=400
            )
        publishing.withdraw(submission)
        return render(request, self.template_name, self.context(submission, withdrawn=True))


class SubmissionListView(PaginatedFilterView):
    """Accepted submissions, filterable, with counts by pillar, country and kind of sender."""

    filterset_class = SubmissionFilter
    template_name = "consultations/submission_list.html"

    def get_queryset(self):
        return Submission.objects.public().order_by("-confirmed_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The filtered list (empty when a filter is invalid), counted without its parts.
        counted = Submission.objects.public_rows().filter(pk__in=self.object_list.values("pk"))
        context.update(
            by_pillar=pillar_breakdown(counted),
            by_country=breakdown(counted, "country", Side.choices),
            by_kind=breakdown(counted, "sender_kind", Submission.SenderKind.choices),
        )
        return context


class SubmissionDetailView(DetailView):
    """One accepted submission: its text, who sent it (as they chose), the official answer and
    the agenda items it shaped."""

    template_name = "consultations/submission_detail.html"
    slug_field = "reference"
    slug_url_kwarg = "reference"
    context_object_name = "submission"

    def get_queryset(self):
        merged = Submission.objects.filter(
            merged_into=OuterRef("pk"), state=Submission.State.MERGED
        )
        return Submission.objects.public().annotate(merged_count=count_of(merged, "merged_into"))


class PrivacyView(TemplateView):
    """The privacy notice of public input, in the page's language."""

    template_name = "consultations/privacy.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.kwargs.get("version", privacy.CURRENT_VERSION)
        if version not in privacy.VERSIONS:
            raise Http404
        context.update(
            version=version,
            effective=privacy.VERSIONS[version],
            is_current=version == privacy.CURRENT_VERSION,
            notice_template=privacy.template_name(version, translation.get_language()),
            retention_days=settings.CONSULTATIONS_RETENTION_DAYS,
            confirm_hours=settings.CONSULTATIONS_CONFIRM_HOURS,
        )
        return context
