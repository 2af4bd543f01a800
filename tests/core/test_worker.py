import pytest

from config.celery import app


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_answers_on_the_redis_broker(celery_worker, settings):
    # Given the suite's broker is Redis, not the embedded filesystem default
    assert settings.CELERY_BROKER_URL.startswith("redis://")

    # When the worker is pinged
    replies = app.control.ping(destination=[celery_worker], timeout=2.0)

    # Then it answers by name
    assert replies == [{celery_worker: {"ok": "pong"}}]


@pytest.mark.django_db(transaction=True)
def test_health_reports_the_running_worker(celery_worker, client, settings):
    # Given a real worker on the suite's broker
    settings.HEALTH_WORKER_TIMEOUT = 2.0

    # When /health/ is asked
    response = client.get("/health/")

    # Then every check passed, the worker's included
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == "ok"
