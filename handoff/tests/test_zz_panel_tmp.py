import re
import pytest
from handoff.tests.helpers import everything
pytestmark = pytest.mark.django_db

def test_show(staff, client, settings, private_media):
    settings.FHIR_EXPORT_URL = "http://127.0.0.1:9/fhir"
    lead = everything(staff["avery"])
    client.force_login(staff["sam"])
    html = client.get(lead.get_absolute_url()).content.decode()
    start = html.index('id="clinical-record"')
    chunk = html[start-80:html.index('</section>', start)]
    text = re.sub(r"<[^>]+>", " ", chunk)
    print(re.sub(r"\s+", " ", text))
    assert 0
