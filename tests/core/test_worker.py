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
