"""The privacy notice senders consent to. Each version is a pair of templates, one per
language (templates/consultations/privacy/<version>.<language>.html); a submission records
the version its sender agreed to. To change the notice, add a new version (never edit one
that people have agreed to) and make it the current one here."""

import datetime

# Version -> the day it took effect.
VERSIONS = {"1": datetime.date(2016, 1, 15)}
CURRENT_VERSION = "1"


def template_name(version, language):
    return f"consultations/privacy/v{version}.{language}.html"
