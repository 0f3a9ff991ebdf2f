"""Open an illustrative consultation for the demo, so its form can be shown."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from consultations.models import Consultation
from dialogue.models import Pillar, PublicationStatus


class Command(BaseCommand):
    """Create, or reopen for 30 days from now, the demo's open consultation."""

    help = (
        "Create (or reopen for 30 days) the illustrative consultation 'Public input for the "
        "next agenda', published, so the demo shows the submission form. Demo use only."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        consultation, created = Consultation.objects.update_or_create(
            slug="public-input-next-agenda",
            defaults={
                "title_en": "Public input for the next agenda",
                "title_es": "Aportaciones del público para la próxima agenda",
                "year": now.year + 1,
                "summary_en": "Send your priorities for the dialogue's next cabinet-level meeting.",
                "summary_es": "Envíe sus prioridades para la próxima reunión a nivel de gabinete "
                "del diálogo.",
                "introduction_en": "<p>Illustrative consultation of the demo: anyone may send "
                "input on the three pillars. Emails are printed to the console.</p>",
                "introduction_es": "<p>Consulta ilustrativa de la demostración: cualquier persona "
                "puede enviar aportaciones sobre los tres pilares. Los correos se imprimen en la "
                "consola.</p>",
                "questions_en": "<ol><li>What should the governments work on next?</li></ol>",
                "questions_es": "<ol><li>¿En qué deberían trabajar ahora los gobiernos?</li></ol>",
                "opens_at": now - timedelta(days=1),
                "closes_at": now + timedelta(days=30),
                "publication_status": PublicationStatus.PUBLISHED,
                "publish_at": now - timedelta(days=1),
                "notes": "Illustrative demo consultation, reopened by `make demo`.",
            },
        )
        consultation.pillars.set(Pillar.objects.all())
        verb = "Opened" if created else "Reopened"
        self.stdout.write(f"{verb} the demo consultation {consultation.get_absolute_url()}")
