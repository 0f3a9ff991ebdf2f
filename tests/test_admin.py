import re
import pytest
pytestmark = pytest.mark.django_db

def test_explore(admin_client):
    from tests.factories import MeetingFactory, AgreementFactory
    for url in ["/admin/dialogue/meeting/add/", "/admin/dialogue/agreement/add/"]:
        page = admin_client.get(url).content.decode()
        print(url, sorted(set(re.findall(r'name="([^"]*(?:TOTAL_FORMS|-__prefix__-[^"]*))"', page))))
    m = MeetingFactory()
    page = admin_client.get(f"/admin/dialogue/meeting/{m.pk}/change/").content.decode()
    print(re.findall(r'href="(/admin/r/[^"]*)"', page))
    print(re.findall(r'name="(start[^"]*|publish_at[^"]*)"', page))
    assert 0
