"""Reading pages as a person does: the forms they render and the links they show (django-webtest).

Tests of a form submit the form the page rendered, hidden inputs and all, with a person's typing over
it; they never post a dict written in the test.
"""

import re

from django.core.management import call_command


def form_posting_to(page, action: str = ""):
    """The page's form whose action ends with `action` (the form posting to the page itself for "")."""
    for form in page.forms.values():
        target = form.action or ""
        if (action == "" and target in ("", ".")) or (action and target.split("?")[0].endswith(action)):
            return form
    actions = [form.action for form in page.forms.values()]
    raise AssertionError(f"no form posting to {action!r} on {page.request.url}: {actions}")


def text_of(page) -> str:
    """What a person reads on the page: its text, whitespace collapsed."""
    return re.sub(r"\s+", " ", page.html.get_text(" ")).strip()


def add_person(username: str, role: str) -> str:
    """Add a person as `manage.py add_person` does; returns the password it printed."""
    from io import StringIO

    out = StringIO()
    call_command("add_person", username, "--role", role, stdout=out)
    printed = re.search(r"with the password (\S+) \(shown once\)", out.getvalue())
    assert printed, out.getvalue()
    return printed[1]


def sign_in(app, start_url: str, username: str, password: str):
    """Open `start_url` signed out, follow where it sends, and sign in on the form that page renders."""
    page = app.get(start_url)
    while page.status_int in (301, 302):
        page = page.follow()
    form = form_posting_to(page, "/accounts/login/")
    form["username"] = username
    form["password"] = password
    page = form.submit()
    while page.status_int in (301, 302):
        page = page.follow()
    return page


def run_admin_action(page, pks, action: str):
    """On an admin change list as rendered, tick the rows of these objects, choose the action, and run it."""
    form = page.forms["changelist-form"]
    boxes = form.fields["_selected_action"]
    wanted = {str(pk) for pk in pks}
    for box in boxes:
        if box._value in wanted:
            box.checked = True
    assert {box._value for box in boxes if box.checked} == wanted, "the rows are not all on the page"
    form["action"] = action
    return form.submit("index")
