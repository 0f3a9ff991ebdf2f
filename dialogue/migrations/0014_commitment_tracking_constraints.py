"""Commitment tracking, 3 of 3: an update always has a status and a progress; the agreement's
own status and progress are gone (its state is read from its latest published update)."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("dialogue", "0013_commitment_tracking_data"),
    ]

    operations = [
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
