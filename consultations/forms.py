"""The public submission form: plain text within limits, and the anti-abuse checks."""

import json

from altcha_django import AltchaField, AltchaMixin
from altcha_django.widgets import AltchaWidget
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dialogue.models import Sector

from . import abuse, privacy
from .models import Submission

TITLE_LENGTH = (5, 200)
TEXT_LENGTH = (20, 5000)
# The honeypot's name is one a form filler expects to complete; people never see the field.
HONEYPOT = "website"


class ProofOfWorkWidget(AltchaWidget):
    """The ALTCHA challenge, embedded in the form and solved by a small script of our own
    (consultations/static/consultations/proof-of-work.js) that sets the hidden field.

    Not altcha-django's bundled widget: that one adds an inline ``<style>`` element and starts
    workers from ``blob:`` URLs, which the site's Content-Security-Policy refuses. Ours runs
    WebCrypto's PBKDF2 from a static file, and without JavaScript the field stays empty.
    """

    template_name = "consultations/_proof_of_work.html"

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, value, attrs)
        challenge = self._resolved_verifier().get_challenge()
        context["widget"]["challenge_json"] = json.dumps(challenge, separators=(",", ":"))
        return context

    @property
    def media(self):
        return forms.Media()  # the page loads the script itself, deferred


def clean_plain(value, *, multiline=False):
    value = abuse.normalized(value, multiline=multiline)
    if abuse.has_forbidden_characters(value, multiline=multiline):
        raise ValidationError(
            _(
                "Remove the control characters from this text (invisible formatting codes, "
                "often pasted from other programs)."
            ),
            code="control_characters",
        )
    return value


def length_error(value, bounds):
    low, high = bounds
    if len(value) < low:
        return _("Write at least %(low)d characters (now %(count)d).") % {
            "low": low,
            "count": len(value),
        }
    if len(value) > high:
        return _("Write at most %(high)d characters (now %(count)d).") % {
            "high": high,
            "count": len(value),
        }
    return None


class SubmissionForm(AltchaMixin, forms.ModelForm):
    """A submission to one consultation, in the visitor's language; no account needed."""

    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my submission is processed as it says."
        ),
        error_messages={"required": _("Tick the box to agree to the privacy notice.")},
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    shown = forms.CharField(widget=forms.HiddenInput)
    altcha = AltchaField(
        required=False,
        widget=ProofOfWorkWidget,
        error_messages={
            code: _(
                "The automatic anti-spam check did not pass. Please send the form again; if it "
                "keeps failing, switch off JavaScript and send it without the check."
            )
            for code in (
                "malformed",
                "invalid_signature",
                "invalid_solution",
                "expired",
                "replayed",
                "unverified",
                "misconfigured",
                "backend_error",
            )
        },
    )

    class Meta:
        model = Submission
        fields = [
            "title",
            "text",
            "pillar",
            "sectors",
            "sender_kind",
            "organization",
            "country",
            "name",
            "email",
            "display",
        ]
        labels = {
            "title": _("Title"),
            "text": _("Your input"),
            "pillar": _("Pillar"),
            "sectors": _("Sectors (optional)"),
            "sender_kind": _("You are sending this as"),
            "organization": _("Organization"),
            "country": _("Country"),
            "name": _("Your name"),
            "email": _("Your email address"),
            "display": _("How to show your submission if it is published"),
        }
        help_texts = {
            "title": _("A short summary, 5 to 200 characters."),
            "text": _("Plain text, 20 to 5,000 characters. Links are allowed but not needed."),
            "organization": _("Required unless you write as an individual."),
            "name": _("Never published."),
            "email": _(
                "Never published. We send a confirmation link to it: your submission is only "
                "read once you confirm."
            ),
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 12}),
            "sectors": forms.CheckboxSelectMultiple,
            "sender_kind": forms.Select,
            "country": forms.RadioSelect,
            "display": forms.RadioSelect,
        }

    def __init__(self, *args, consultation, request=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, request=request, **kwargs)
        self.consultation = consultation
        self.fields["pillar"].queryset = self.fields["pillar"].queryset.filter(
            pk__in=[pillar.pk for pillar in consultation.pillar_choices()]
        )
        self.fields["pillar"].required = True
        self.fields["pillar"].empty_label = _("Choose a pillar")
        self.fields["pillar"].error_messages["required"] = _("Choose the pillar it is about.")
        self.fields["sectors"].queryset = Sector.objects.public()
        self.fields["sender_kind"].choices = [("", _("Choose one")), *Submission.SenderKind.choices]
        for name in ("title", "text", "name", "email", "sender_kind", "country"):
            self.fields[name].required = True
        self.fields["country"].choices = Submission._meta.get_field("country").choices
        self.fields["display"].choices = Submission.Display.choices
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["organization"].widget.attrs["autocomplete"] = "organization"
        self.fields["title"].widget.attrs.pop("maxlength", None)
        self.fields["title"].max_length = None
        self.fields["title"].validators = []
        if not self.is_bound:
            self.initial["shown"] = abuse.form_timestamp()

    def clean_title(self):
        value = clean_plain(self.cleaned_data["title"])
        error = length_error(value, TITLE_LENGTH)
        if error:
            raise ValidationError(error, code="length")
        return value

    def clean_text(self):
        value = clean_plain(self.cleaned_data["text"], multiline=True)
        error = length_error(value, TEXT_LENGTH)
        if error:
            raise ValidationError(error, code="length")
        return value

    def clean_organization(self):
        value = clean_plain(self.cleaned_data["organization"])
        if len(value) > 200:
            raise ValidationError(length_error(value, (0, 200)), code="length")
        return value

    def clean_name(self):
        return clean_plain(self.cleaned_data["name"])

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise ValidationError(
                _("Leave the field “%(label)s” empty.") % {"label": self.fields[HONEYPOT].label},
                code="honeypot",
            )
        return ""

    def clean_shown(self):
        token = self.cleaned_data["shown"]
        refusal = abuse.timestamp_refusal(token)
        if refusal is not None:
            raise ValidationError(refusal, code="timing")
        return token

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("sender_kind")
        organization = cleaned.get("organization")
        if kind and kind != Submission.SenderKind.INDIVIDUAL and not organization:
            self.add_error("organization", _("Give the name of the organization you write for."))
        if cleaned.get("display") == Submission.Display.ORGANIZATION and not organization:
            self.add_error("display", _("To be shown by your organization only, name it above."))
        text = cleaned.get("text")
        if text:
            fingerprint = abuse.fingerprint(text)
            duplicates = Submission.objects.filter(
                consultation=self.consultation, text_hash=fingerprint
            )
            # An unconfirmed copy whose link expired does not count: it is removed on saving.
            duplicates = duplicates.exclude(
                pk__in=Submission.objects.expired_unconfirmed().values("pk")
            )
            if duplicates.exists():
                self.add_error(
                    "text",
                    ValidationError(
                        _(
                            "The same text was already sent to this consultation. If it was "
                            "yours, look for the confirmation email we sent you."
                        ),
                        code="duplicate",
                    ),
                )
            cleaned["text_hash"] = fingerprint
        return cleaned

    def refresh_checks(self):
        """After a refusal: a new proof-of-work challenge, and a new timestamp if the old one
        is the problem (a form that was fine keeps its time, so it is not 'too quick')."""
        data = self.data.copy()
        data.pop("altcha", None)
        if "shown" in self.errors or not self.data.get("shown"):
            data["shown"] = abuse.form_timestamp()
        self.data = data

    def build(self, *, language, proof_of_work):
        """The unsaved submission, with everything the form does not show."""
        submission = self.save(commit=False)
        submission.consultation = self.consultation
        submission.language = language
        submission.text_hash = self.cleaned_data["text_hash"]
        submission.proof_of_work = proof_of_work
        submission.many_links = (
            abuse.count_links(submission.title, submission.text) > settings.CONSULTATIONS_MAX_LINKS
        )
        submission.privacy_notice_version = privacy.CURRENT_VERSION
        return submission
