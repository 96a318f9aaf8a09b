import threading

import pytest

from .fake_fhir import FakeFhirServer

SIGNING_KEY = "the-centre-and-the-ehr-share-this"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Card photos go to a folder of this test's own."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture(autouse=True)
def _sandbox(settings):
    # The sandbox payer answers the tests' insurance checks; nothing leaves the machine.
    settings.ELIGIBILITY_GATEWAY = "sandbox"
    settings.FHIR_EXPORT_URL = ""
    settings.FHIR_EXPORT_RECIPIENT = "Clinical record system (EHR)"


@pytest.fixture(scope="session")
def _fhir_server():
    server = FakeFhirServer(SIGNING_KEY)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def fhir_server(_fhir_server, settings):
    """The clinical record system's FHIR endpoint, configured as where exports go, empty."""
    settings.FHIR_EXPORT_URL = _fhir_server.url
    settings.FHIR_EXPORT_SIGNING_KEY = SIGNING_KEY
    settings.FHIR_EXPORT_TIMEOUT = 5.0
    _fhir_server.clear()
    yield _fhir_server
    _fhir_server.clear()
