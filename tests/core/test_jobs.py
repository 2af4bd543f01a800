"""The one job life cycle (``core.jobs`` over ``core.models.Job``): exports and imports are
claimed, counted, finished and given up by the same rules and the same setting."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from core.jobs import claim, finish, max_attempts
from core.models import Job
from exports.models import Export
from exports.services import reap_stuck_exports, run_export
from imports.models import AsyncAction
from imports.services import reap_stuck_actions, run_orders_import

ROOT = Path(__file__).resolve().parents[2]
JOB_FIELDS = {"created_at", "started_at", "finished_at", "attempts", "heartbeat_at"}


def ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


def _attempts_setting(**env: str) -> str:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"JOB_MAX_ATTEMPTS", "EXPORT_MAX_ATTEMPTS", "DJANGO_SETTINGS_MODULE"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    code = "from django.conf import settings; print(settings.JOB_MAX_ATTEMPTS)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_both_kinds_of_job_share_one_abstract_model_and_its_fields():
    assert Job._meta.abstract
    assert {field.name for field in Job._meta.fields} == JOB_FIELDS
    for model in (Export, AsyncAction):
        assert issubclass(model, Job)
        assert {field.name for field in model._meta.concrete_fields} >= JOB_FIELDS
    # The tables keep their statuses: the base only names which one waits and which runs.
    assert (Export.WAITING, Export.RUNNING) == ("SCHEDULED", "IN_PROGRESS")
    assert (AsyncAction.WAITING, AsyncAction.RUNNING) == ("ENQUEUED", "IN_PROGRESS")


def test_one_setting_counts_attempts_and_the_old_name_is_still_read():
    assert _attempts_setting() == "3"
    assert _attempts_setting(EXPORT_MAX_ATTEMPTS="5") == "5"
    assert _attempts_setting(JOB_MAX_ATTEMPTS="2", EXPORT_MAX_ATTEMPTS="5") == "2"


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Export, AsyncAction])
def test_a_job_is_claimed_once_and_each_claim_counts_an_attempt(model):
    # Given a waiting job
    job = model.objects.create(heartbeat_at=ago(1))

    # When a worker claims it, then a second message for it arrives
    claimed = claim(model, job.pk)
    again = claim(model, job.pk)

    # Then the first run has it, RUNNING, one attempt; the second finds nothing to do
    assert claimed is not None
    assert (claimed.status, claimed.attempts) == (model.RUNNING, 1)
    assert claimed.started_at is not None
    assert again is None


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Export, AsyncAction])
def test_a_job_whose_worker_died_is_claimed_again(model):
    job = model.objects.create(status=model.RUNNING, attempts=1, heartbeat_at=ago(600))

    claimed = claim(model, job.pk)

    assert claimed is not None and claimed.attempts == 2


@pytest.mark.django_db
def test_finishing_a_job_keeps_its_updated_at_and_does_not_undo_a_failure():
    # Given an import a reaper already failed
    action = AsyncAction.objects.create(status=AsyncAction.Status.FAILED, heartbeat_at=ago(600))
    AsyncAction.objects.filter(pk=action.pk).update(updated_at=ago(600))

    # When its old run tries to finish it as DONE, only if still running
    finished = finish(AsyncAction, action.pk, AsyncAction.Status.DONE, if_running=True)

    # Then it stays FAILED
    assert finished is False
    assert AsyncAction.objects.get(pk=action.pk).status == AsyncAction.Status.FAILED

    # And a finish that applies stamps the row's times in the same statement
    assert finish(AsyncAction, action.pk, AsyncAction.Status.FAILED, result={"message": "x"})
    action.refresh_from_db()
    assert action.finished_at > ago(5) and action.updated_at > ago(5)


@pytest.mark.django_db
def test_one_setting_gives_up_on_exports_and_imports_alike(settings, monkeypatch):
    # Given one attempt allowed, and an export and an import whose worker died in it
    settings.JOB_MAX_ATTEMPTS = 1
    assert max_attempts() == 1
    export = Export.objects.create(status=Export.RUNNING, attempts=1, heartbeat_at=ago(600))
    action = AsyncAction.objects.create(
        status=AsyncAction.RUNNING, attempts=1, heartbeat_at=ago(600), payload=[{}]
    )

    # When the reaper runs
    exports, actions = reap_stuck_exports(), reap_stuck_actions()

    # Then both are failed, not retried
    assert exports == actions == {"resent": 0, "retried": 0, "failed": 1}
    assert Export.objects.get(pk=export.pk).status == Export.Status.ERROR
    assert AsyncAction.objects.get(pk=action.pk).status == AsyncAction.Status.FAILED


@pytest.mark.django_db
def test_a_job_started_more_often_than_allowed_fails_in_its_worker(settings):
    # Given two attempts allowed, spent on an export and an import re-delivered once more
    settings.JOB_MAX_ATTEMPTS = 2
    export = Export.objects.create(status=Export.RUNNING, attempts=2, heartbeat_at=ago(600))
    action = AsyncAction.objects.create(
        status=AsyncAction.RUNNING, attempts=2, heartbeat_at=ago(600)
    )

    # When their workers run them
    run_export(export.pk)
    run_orders_import(action.pk)

    # Then neither runs a third time: each says it was started too many times
    export.refresh_from_db()
    action.refresh_from_db()
    assert export.status == Export.Status.ERROR
    assert export.error == "The export was started too many times without finishing."
    assert action.status == AsyncAction.Status.FAILED
    assert action.result["message"] == "The import was started too many times without finishing."


def test_each_job_model_sends_the_task_its_app_registered():
    from core.jobs import TASKS
    from exports.tasks import export_orders
    from imports.tasks import import_orders

    assert {Export: export_orders, AsyncAction: import_orders} == TASKS


def test_a_job_model_without_a_registered_task_is_a_clear_error():
    from core.jobs import send_job

    class Unregistered(Job):
        class Meta:
            app_label = "core"
            abstract = True

    with pytest.raises(LookupError, match="register_task"):
        send_job(Unregistered, "x", "thing")


def test_the_import_task_keeps_its_name_from_before_the_imports_app():
    # Messages a broker still holds from before the upgrade name the old module.
    from imports.tasks import import_orders

    assert import_orders.name == "async_actions.tasks.import_orders"
