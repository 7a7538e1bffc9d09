"""The dashboard's fixtures (tests/api): the dossier's download is a page of the dashboard."""

from tests.api.conftest import http, site  # noqa: F401 - fixtures for test_dashboard.py
