"""Commitment tracking: an agreement's state (overall and per side) now lives in its published
implementation updates; updates are reviewed and published on their own, with evidence.

What visitors saw before is kept:

- every existing update becomes published, and an update whose status or progress was left
  empty takes the one of the update before it (the state carries on);
- where an agreement's typed status or progress differed from its latest update (or it had
  none), a published update records that state, dated the later of the latest update and the
  agreement's last change, so the agreement shows the same state as before;
- each meeting's planned period is computed, and each key figure with a year gets that value
  as the first of its series.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

CARRIED_TITLE = {
    "en": "Status and progress as recorded before updates were reviewed",
    "es": "Estado y avance registrados antes de que se revisaran las actualizaciones",
}
CARRIED_NOTE = {
    "en": "Carried over from the agreement's own status and progress.",
    "es": "Tomados del estado y el avance que figuraban en el acuerdo.",
}
STATE = ("status", "progress", "us_status", "us_progress", "mx_status", "mx_progress",
         "joint_status", "joint_progress")  # fmt: skip


def state_key(update):
    return "|".join("" if getattr(update, n) is None else str(getattr(update, n)) for n in STATE)


def carry_state_into_updates(apps, schema_editor):
    from dialogue.models.meetings import planned_end
    from zoneinfo import ZoneInfo

    Agreement = apps.get_model("dialogue", "Agreement")
    Update = apps.get_model("dialogue", "AgreementUpdate")
    Meeting = apps.get_model("dialogue", "Meeting")
    KeyFigure = apps.get_model("dialogue", "KeyFigure")
    KeyFigureValue = apps.get_model("dialogue", "KeyFigureValue")
    now = timezone.now()

    for agreement in Agreement.objects.order_by("pk").iterator():
        status, progress, latest = None, None, None
        for update in Update.objects.filter(agreement=agreement).order_by("date", "id"):
            if not update.status:
                announced = agreement.announced_on and update.date >= agreement.announced_on
                update.status = status or ("announced" if announced else "proposed")
            if update.progress is None:
                update.progress = progress if progress is not None else 0
            status, progress, latest = update.status, update.progress, update
            update.publication_status = "published"
            update.publish_at = min(update.created_at, now)
            update.first_published_at = update.publish_at
            update.state_key = state_key(update)
            update.save()
        if latest is not None and (status, progress) == (agreement.status, agreement.progress):
            continue
        day = agreement.updated_at.date()
        if latest is not None:
            day = max(day, latest.date)
        carried = Update(
            agreement=agreement,
            date=day,
            status=agreement.status,
            progress=agreement.progress,
            publication_status="published",
            publish_at=now,
            first_published_at=now,
        )
        for code in ("en", "es"):
            setattr(carried, f"title_{code}", CARRIED_TITLE[code])
            setattr(carried, f"note_{code}", CARRIED_NOTE[code])
        carried.title, carried.note = CARRIED_TITLE["en"], CARRIED_NOTE["en"]
        carried.state_key = state_key(carried)
        carried.save()

    meetings = []
    for meeting in Meeting.objects.iterator():
        zone = ZoneInfo(meeting.timezone)
        meeting.period_end = planned_end(meeting.start, meeting.date_precision, zone, meeting.end)
        meetings.append(meeting)
    Meeting.objects.bulk_update(meetings, ["period_end"], batch_size=1000)

    for figure in KeyFigure.objects.filter(year__isnull=False):
        value = KeyFigureValue(
            figure=figure, year=figure.year, value=figure.value, source_url=figure.source_url
        )
        for name in ("source", "source_en", "source_es"):
            setattr(value, name, getattr(figure, name))
        value.save()


class Migration(migrations.Migration):

    dependencies = [
        ('dialogue', '0008_timezone_from_standard_library'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Delivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent')),
            ],
            options={
                'verbose_name': 'email delivery',
                'verbose_name_plural': 'email deliveries',
                'ordering': ['-sent_at'],
            },
        ),
        migrations.CreateModel(
            name='Evidence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('version', models.PositiveIntegerField(default=1, editable=False, help_text='Raised by one on every save; used to detect conflicting edits.', verbose_name='version')),
                ('title', models.CharField(blank=True, help_text='Optional for a document.', max_length=255, verbose_name='title')),
                ('title_en', models.CharField(blank=True, help_text='Optional for a document.', max_length=255, null=True, verbose_name='title')),
                ('title_es', models.CharField(blank=True, help_text='Optional for a document.', max_length=255, null=True, verbose_name='title')),
                ('url', models.URLField(blank=True, help_text='A link to the evidence. Give a link or pick a document, not both.', max_length=500, verbose_name='link')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
            ],
            options={
                'verbose_name': 'evidence',
                'verbose_name_plural': 'evidence',
                'ordering': ['update', 'order', 'id'],
            },
        ),
        migrations.CreateModel(
            name='KeyFigureValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('version', models.PositiveIntegerField(default=1, editable=False, help_text='Raised by one on every save; used to detect conflicting edits.', verbose_name='version')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('value', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='value')),
                ('source', models.CharField(help_text='Who published this value.', max_length=255, verbose_name='source')),
                ('source_en', models.CharField(help_text='Who published this value.', max_length=255, null=True, verbose_name='source')),
                ('source_es', models.CharField(help_text='Who published this value.', max_length=255, null=True, verbose_name='source')),
                ('source_url', models.URLField(blank=True, verbose_name='source link')),
                ('notes', models.TextField(blank=True, help_text='Internal notes for staff; never shown.', verbose_name='editorial notes')),
            ],
            options={
                'verbose_name': 'value by year',
                'verbose_name_plural': 'values by year',
                'ordering': ['figure', 'year'],
            },
        ),
        migrations.CreateModel(
            name='Subscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, verbose_name='email address')),
                ('scope', models.CharField(choices=[('all', 'All commitments'), ('pillar', 'A pillar'), ('agreement', 'An agreement')], max_length=10, verbose_name='follows')),
                ('frequency', models.CharField(choices=[('immediate', 'At once, one email per update'), ('weekly', 'A weekly digest')], default='immediate', max_length=10, verbose_name='frequency')),
                ('language', models.CharField(default='en', max_length=5, verbose_name='language')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('confirmed_at', models.DateTimeField(blank=True, help_text='Empty until the address is confirmed.', null=True, verbose_name='confirmed')),
                ('last_digest_at', models.DateTimeField(blank=True, help_text='When the last weekly digest left.', null=True, verbose_name='last digest')),
            ],
            options={
                'verbose_name': 'email subscription',
                'verbose_name_plural': 'email subscriptions',
                'ordering': ['-created_at'],
            },
        ),
        migrations.AlterModelOptions(
            name='agreementupdate',
            options={'get_latest_by': 'date', 'ordering': ['agreement', 'date', 'id'], 'permissions': [('publish_agreementupdate', 'Can publish, unpublish and schedule implementation updates')], 'verbose_name': 'implementation update', 'verbose_name_plural': 'implementation updates'},
        ),
        migrations.RemoveConstraint(
            model_name='agreementupdate',
            name='update_progress_0_100',
        ),
        migrations.AddField(
            model_name='agreementupdate',
            name='confirmed_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When a Publisher published (or scheduled) this update.', null=True, verbose_name='confirmed at'),
        ),
        migrations.AddField(
            model_name='agreementupdate',
            name='confirmed_by',
            field=models.ForeignKey(blank=True, editable=False, help_text='The Publisher who reviewed and published this update.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='confirmed_updates', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by'),
        ),
        migrations.AddField(
            model_name='agreementupdate',
            name='first_published_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When visitors could first see the record; empty while it never was public.', null=True, verbose_name='first published'),
        ),
        migrations.AddField(
            model_name='agreementupdate',
            name='joint_progress',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Implementation progress, 0 to 100 per cent.', null=True, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='joint: progress'),
        ),
        migrations.AddField(
            model_name='agreementupdate',
            name='joint_status',
            field=models.CharField(blank=True, choices=[('proposed', 'Proposed'), ('negotiation', 'Under negotiation'), ('announced', 'Announced'), ('signed', 'Signed'), ('in-force', 'In force'), ('implementing', 'Being implemented'), ('completed', 'Completed'), ('suspended', 'Suspended'), ('superseded', 'Superseded')], help_text='Leave empty when this side has no part of its own to report.', max_length=20, verbose_name='joint: status'),
        ),
        migrations.AddField(
            model_name='agreementupdate',
            name='mx_progress',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Implementation progress, 0 to 100 per cent.', null=True, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='Mexico: progress'),
        ),
        migrations.AddField(
            model_name='agreementupdate',
            name='mx_status',
            field=models.CharField(blank=True, choices=[('proposed', 'Proposed'), ('negotiation', 'Under negotiation'), ('announced', 'Announced'), ('signed', 'Signed'), ('in-force', 'In force'), ('implementing', 'Being implemented'), ('completed', 'Completed'), ('suspended', 'Suspended'), ('superseded', 'Superseded')], help_text='Leave empty when this side has no part of its own to report.', max_length=20, verbose_name='Mexico: status'),
        ),
        migrations.AddField(
            model_name='agreementupdate',
            name='publication_status',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], db_index=True, default='draft', help_text='Drafts are only visible to staff. Published records appear on the site.', max_length=10, verbose_name='publication'),
        ),
        migrations.AddField(
            model_name='agreementupdate',
            name='publish_at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, help_text='When a published record becomes visible. Set a future time to schedule it.', verbose_name='publish at'),
        ),
        migrations.AddField(
            model_name='agreementupdate',
            name='state_key',
            field=models.CharField(blank=True, editable=False, help_text='The whole state as one value, to compare two updates (set on save).', max_length=120, verbose_name='state'),
        ),
        migrations.AddField(
            model_name='agreementupdate',
            name='us_progress',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Implementation progress, 0 to 100 per cent.', null=True, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='United States: progress'),
        ),
        migrations.AddField(
            model_name='agreementupdate',
            name='us_status',
            field=models.CharField(blank=True, choices=[('proposed', 'Proposed'), ('negotiation', 'Under negotiation'), ('announced', 'Announced'), ('signed', 'Signed'), ('in-force', 'In force'), ('implementing', 'Being implemented'), ('completed', 'Completed'), ('suspended', 'Suspended'), ('superseded', 'Superseded')], help_text='Leave empty when this side has no part of its own to report.', max_length=20, verbose_name='United States: status'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='period_end',
            field=models.DateTimeField(db_index=True, editable=False, help_text='The end of the meeting, or of its planned period when only the month or year is known (set on save).', null=True, verbose_name='planned until'),
        ),
        migrations.AlterField(
            model_name='agreementparty',
            name='side',
            field=models.CharField(blank=True, choices=[('US', 'United States'), ('MX', 'Mexico'), ('JOINT', 'Joint (binational)'), ('OTHER', 'Other')], help_text="Leave empty to use the stakeholder's country. “Joint” for a binational body that leads the two countries' joint work.", max_length=5, verbose_name='side'),
        ),
        migrations.AlterField(
            model_name='agreementupdate',
            name='date',
            field=models.DateField(db_index=True, help_text='When this step happened.', verbose_name='date'),
        ),
        migrations.AlterField(
            model_name='agreementupdate',
            name='meeting',
            field=models.ForeignKey(blank=True, help_text='The meeting where this step was reported or reviewed, if any.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='agreement_updates', to='dialogue.meeting', verbose_name='reported at'),
        ),
        migrations.RunPython(carry_state_into_updates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='agreementupdate',
            name='progress',
            field=models.PositiveSmallIntegerField(default=0, help_text="The agreement's implementation progress after this step, 0 to 100 %.", validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='overall progress'),
        ),
        migrations.AlterField(
            model_name='agreementupdate',
            name='status',
            field=models.CharField(choices=[('proposed', 'Proposed'), ('negotiation', 'Under negotiation'), ('announced', 'Announced'), ('signed', 'Signed'), ('in-force', 'In force'), ('implementing', 'Being implemented'), ('completed', 'Completed'), ('suspended', 'Suspended'), ('superseded', 'Superseded')], default='announced', help_text="The agreement's status after this step.", max_length=20, verbose_name='overall status'),
        ),
        migrations.AddConstraint(
            model_name='agreementupdate',
            constraint=models.CheckConstraint(condition=models.Q(('progress__gte', 0), ('progress__lte', 100)), name='update_progress_0_100', violation_error_message='Progress must be between 0 and 100.'),
        ),
        migrations.RemoveConstraint(
            model_name='agreement',
            name='agreement_progress_0_100',
        ),
        migrations.RemoveIndex(
            model_name='agreement',
            name='agreement_pillar_status',
        ),
        migrations.RemoveField(
            model_name='agreement',
            name='progress',
        ),
        migrations.RemoveField(
            model_name='agreement',
            name='status',
        ),
        migrations.AddIndex(
            model_name='agreement',
            index=models.Index(fields=['pillar', 'publication_status', 'publish_at'], name='agreement_pillar_public'),
        ),
        migrations.AddIndex(
            model_name='agreementupdate',
            index=models.Index(fields=['agreement', 'publication_status', 'date', 'id'], name='update_latest_per_agreement'),
        ),
        migrations.AddConstraint(
            model_name='agreementupdate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('us_status', ''), ('us_progress__isnull', True)), models.Q(models.Q(('us_status', ''), _negated=True), ('us_progress__isnull', False), ('us_progress__gte', 0), ('us_progress__lte', 100)), _connector='OR'), name='update_us_status_with_progress', violation_error_message='Give a side both a status and a progress, or neither.'),
        ),
        migrations.AddConstraint(
            model_name='agreementupdate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('mx_status', ''), ('mx_progress__isnull', True)), models.Q(models.Q(('mx_status', ''), _negated=True), ('mx_progress__isnull', False), ('mx_progress__gte', 0), ('mx_progress__lte', 100)), _connector='OR'), name='update_mx_status_with_progress', violation_error_message='Give a side both a status and a progress, or neither.'),
        ),
        migrations.AddConstraint(
            model_name='agreementupdate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('joint_status', ''), ('joint_progress__isnull', True)), models.Q(models.Q(('joint_status', ''), _negated=True), ('joint_progress__isnull', False), ('joint_progress__gte', 0), ('joint_progress__lte', 100)), _connector='OR'), name='update_joint_status_with_progress', violation_error_message='Give a side both a status and a progress, or neither.'),
        ),
        migrations.AddField(
            model_name='delivery',
            name='update',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='dialogue.agreementupdate', verbose_name='update'),
        ),
        migrations.AddField(
            model_name='evidence',
            name='document',
            field=models.ForeignKey(blank=True, help_text='A document of a meeting or agreement. Give a link or a document, not both.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='evidence', to='dialogue.document', verbose_name='document'),
        ),
        migrations.AddField(
            model_name='evidence',
            name='update',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='dialogue.agreementupdate', verbose_name='update'),
        ),
        migrations.AddField(
            model_name='keyfigurevalue',
            name='figure',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='values', to='dialogue.keyfigure', verbose_name='key figure'),
        ),
        migrations.AddField(
            model_name='subscription',
            name='agreement',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='subscriptions', to='dialogue.agreement', verbose_name='agreement'),
        ),
        migrations.AddField(
            model_name='subscription',
            name='pillar',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='subscriptions', to='dialogue.pillar', verbose_name='pillar'),
        ),
        migrations.AddField(
            model_name='delivery',
            name='subscription',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='dialogue.subscription', verbose_name='subscription'),
        ),
        migrations.AddConstraint(
            model_name='evidence',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(models.Q(('url', ''), _negated=True), ('document__isnull', True)), models.Q(('url', ''), ('document__isnull', False)), _connector='OR'), name='evidence_link_or_document', violation_error_message='Give either a link or a document, not both.'),
        ),
        migrations.AddConstraint(
            model_name='evidence',
            constraint=models.UniqueConstraint(condition=models.Q(('url', ''), _negated=True), fields=('update', 'url'), name='evidence_link_unique_per_update', violation_error_message='This link is already evidence of this update.'),
        ),
        migrations.AddConstraint(
            model_name='evidence',
            constraint=models.UniqueConstraint(condition=models.Q(('document__isnull', False)), fields=('update', 'document'), name='evidence_document_unique_per_update', violation_error_message='This document is already evidence of this update.'),
        ),
        migrations.AddConstraint(
            model_name='evidence',
            constraint=models.CheckConstraint(condition=models.Q(('url', ''), models.Q(('title', ''), _negated=True), _connector='OR'), name='evidence_link_has_title', violation_error_message='Give a title to a link.'),
        ),
        migrations.AddConstraint(
            model_name='keyfigurevalue',
            constraint=models.UniqueConstraint(fields=('figure', 'year'), name='key_figure_value_unique_per_year', violation_error_message='This figure already has a value for this year.'),
        ),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('scope', 'all'), ('pillar__isnull', True), ('agreement__isnull', True)), models.Q(('scope', 'pillar'), ('pillar__isnull', False), ('agreement__isnull', True)), models.Q(('scope', 'agreement'), ('pillar__isnull', True), ('agreement__isnull', False)), _connector='OR'), name='subscription_scope_matches_target'),
        ),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.UniqueConstraint(condition=models.Q(('scope', 'all')), fields=('email',), name='subscription_unique_all'),
        ),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.UniqueConstraint(fields=('email', 'pillar'), name='subscription_unique_pillar'),
        ),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.UniqueConstraint(fields=('email', 'agreement'), name='subscription_unique_agreement'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.UniqueConstraint(fields=('subscription', 'update'), name='delivery_once_per_update'),
        ),
    ]
