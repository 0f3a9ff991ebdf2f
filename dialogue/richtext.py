"""Rich text: edited with ProseMirror in the admin, sanitized with nh3 on every save and again
on every render (raw saves such as `loaddata` and bulk imports skip `pre_save`)."""

from functools import lru_cache

import nh3
from django.utils.safestring import mark_safe
from django_prose_editor.fields import ProseEditorField

EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "History": True,
}

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "u", "sub", "sup", "h2", "h3", "h4", "ul", "ol", "li",
    "blockquote", "hr", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html):
    """Return `html` with only the allow-listed tags, attributes and URL schemes."""
    if not html:
        return ""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
    # ProseMirror always leaves one empty paragraph in an empty editor.
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned


@lru_cache(maxsize=1024)
def _render(html):
    return mark_safe(sanitize_html(html))


def render_html(html):
    """`html` made safe to put in a page, whatever wrote it: sanitized with the same allow-list
    as on save. Each distinct text is cleaned once per process (an LRU of 1,024 texts)."""
    return _render(str(html or ""))


class RichTextField(ProseEditorField):
    """A TextField of sanitized HTML, edited in the admin with the prose editor."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("extensions", dict(EDITOR_EXTENSIONS))
        kwargs.setdefault("blank", True)
        kwargs.setdefault("sanitize", sanitize_html)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
