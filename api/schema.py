"""What the OpenAPI schema needs told: one name per choice set, and the year filters' type.

drf-spectacular names each set of choices after the field that uses it; several fields share
one set (a side), and several sets share a field name (`kind`, `status`), so each set is named
here once. The year filters filter on `start__year` / `announced_on__year`, which it cannot
follow to a model field: they are integers.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from dialogue.filters import AgreementFilter, MeetingFilter
from dialogue.models import Agreement, AgreementStatus, Document, Meeting, Side, Stakeholder

# Named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (hled/settings.py).
SIDE = Side.choices
MEETING_KIND = Meeting.Kind.choices
MEETING_STATUS = Meeting.Status.choices
AGREEMENT_KIND = Agreement.Kind.choices
AGREEMENT_STATUS = AgreementStatus.choices
STAKEHOLDER_KIND = Stakeholder.Kind.choices
DOCUMENT_KIND = Document.Kind.choices


def annotate_filters():
    for filterset in (MeetingFilter, AgreementFilter):
        extend_schema_field(OpenApiTypes.INT)(filterset.base_filters["year"])
