"""Read an admin form from its HTML and post it back the way a browser would."""

from html.parser import HTMLParser

from django.contrib.auth.models import Group
from django.test import Client


class _FormParser(HTMLParser):
    """Collects the successful controls of the first <form> whose id is `form_id`."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.done = False
        self.data = []
        self.select = None
        self.option = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and attrs.get("id") == self.form_id:
            self.inside = True
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.select = {"name": name, "chosen": [], "first": None}
        elif tag == "option" and self.select is not None:
            self.option = attrs.get("value")
            if self.select["first"] is None:
                self.select["first"] = self.option
            if "selected" in attrs:
                self.select["chosen"].append(self.option)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "form":
            self.inside, self.done = False, True
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"]
            if not chosen and self.select["first"] is not None:
                chosen = [self.select["first"]]
            self.data += [(self.select["name"], value or "") for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            self.data.append((name, value.removeprefix("\n")))
            self.textarea = None


def form_fields(response, model_name):
    """{name: value or [values]} of the change form in `response`, as a browser sends it,
    without the empty inline templates (``__prefix__``)."""
    parser = _FormParser(f"{model_name}_form")
    parser.feed(response.content.decode())
    assert parser.done, f"no form #{model_name}_form on the page"
    data = {}
    for name, value in parser.data:
        if "__prefix__" in name or name == "csrfmiddlewaretoken":
            continue
        if name in data:
            data[name] = [*([data[name]] if isinstance(data[name], str) else data[name]), value]
        else:
            data[name] = value
    return data


def open_form(client, url, model_name):
    """GET a change form and return what the browser would post back."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return form_fields(response, model_name)


def role_user(django_user_model, username, role):
    """A staff user whose only permissions come from the role's group."""
    user = django_user_model.objects.create_user(
        username=username, password=f"{username}-password", is_staff=True
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client
