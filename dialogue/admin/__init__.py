"""The staff back office: every record is edited here.

- dashboard: what the admin home page shows (the site itself is dialogue/admin_site.py)
- workflow: forms carrying the version they were opened at; base classes whose writes go
  through the publishing service (dialogue/publishing/)
- history: versions, compare (compare.py), restore and recover
- filters: the changelists' list filters
- meetings, agreements, stakeholders, content, taxonomy: one module per aggregate
"""

from ..publishing import history

# Before the VersionAdmin classes below register models their own way.
history.register_models()

from . import agreements, content, meetings, stakeholders, taxonomy  # noqa: E402, F401
