"""Commitment tracking, 1 of 3: the new tables and columns (updates get a publication state,
a state per side, who confirmed them and their evidence; meetings their planned period; key
figures their values by year; email subscriptions). 0010 moves the data, 0011 removes the
agreement's own status and progress. Three migrations, so that PostgreSQL commits the data
before the columns it was read from change (no ALTER TABLE with pending trigger events).
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dialogue', '0011_search'),
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
    ]
