from urllib.error import HTTPError
from urllib.request import urlopen

import pytest


def test_healthz_is_200_when_the_database_answers(app_url: str) -> None:
    with urlopen(app_url + "/healthz", timeout=5) as response:
        assert response.status == 200
        assert response.read() == b"ok"


def test_healthz_is_503_when_the_database_is_down(down_app_url: str) -> None:
    with pytest.raises(HTTPError) as failed:
        urlopen(down_app_url + "/healthz", timeout=10)

    assert failed.value.code == 503


def test_unknown_paths_are_404(app_url: str) -> None:
    with pytest.raises(HTTPError) as failed:
        urlopen(app_url + "/admin", timeout=5)

    assert failed.value.code == 404
