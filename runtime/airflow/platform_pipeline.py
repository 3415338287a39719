"""The platform's transform-and-load pipeline as Apache Airflow DAGs (Amazon MWAA).

One generic file: it reads the pipeline spec that the Pulumi program renders next to it
(platform_pipeline.json, from infra/orchestration/airflow.ts, the same pipeline definition the
Step Functions state machine is built from) and declares

- the pipeline DAG on the pipeline's schedule, and the late-data sweep DAG when the spec has one;
- in each: DefineWindow (the UTC window, as the state machine's DefineWindow state computes it),
  then per database dataset the CDC apply, warehouse sync, quality check and gate
  (task group ApplyChanges.<dataset>), then per stream dataset the Spark transform, quality
  check, gate, warehouse load, quality check and gate (PerDataset.<dataset>), then PipelineDone;
- NotifyFailure, which publishes the failed tasks to the alarm topic when any task failed, then
  PipelineFailed, which keeps such a run failed.

Task ids are the state machine's state names, so a run reads the same in both orchestrators.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from airflow import DAG
from airflow.exceptions import AirflowFailException
from airflow.models.baseoperator import BaseOperator, chain
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import PythonOperator
from airflow.providers.amazon.aws.operators.emr import EmrAddStepsOperator, EmrServerlessStartJobOperator
from airflow.providers.amazon.aws.operators.lambda_function import LambdaInvokeFunctionOperator
from airflow.providers.amazon.aws.operators.sns import SnsPublishOperator
from airflow.utils.task_group import TaskGroup
from airflow.utils.trigger_rule import TriggerRule

SPEC_PATH = os.environ.get("PLATFORM_PIPELINE_SPEC", os.path.join(os.path.dirname(os.path.abspath(__file__)), "platform_pipeline.json"))
# Scheduled runs start here; catchup is off, so only the latest interval runs when a DAG is enabled.
START_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)
# A Spark task polls its job this often; its attempts cover the step's timeout.
SPARK_POLL_SECONDS = 60


class PipelineSpecError(ValueError):
    """The pipeline spec next to the DAG is missing or not the shape this DAG reads."""


def load_spec(path: str = SPEC_PATH) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            spec = json.load(handle)
    except FileNotFoundError as error:
        raise PipelineSpecError(f"pipeline spec {path} not found: deploy the stack (it uploads the spec beside this DAG) or set PLATFORM_PIPELINE_SPEC") from error
    except json.JSONDecodeError as error:
        raise PipelineSpecError(f"pipeline spec {path} is not JSON ({error}); redeploy the stack to rewrite it") from error
    if spec.get("version") != 1:
        raise PipelineSpecError(f"pipeline spec {path}: expected version 1, found {spec.get('version')!r}; deploy the DAG file and the spec from the same commit")
    for field in ("dagId", "schedule", "windowHours", "maxActiveTasks", "notify", "groups"):
        if field not in spec:
            raise PipelineSpecError(f"pipeline spec {path}: field {field!r} is missing; deploy the DAG file and the spec from the same commit")
    return spec


def schedule_of(schedule: dict[str, Any]) -> timedelta | str:
    if schedule["kind"] == "interval":
        return timedelta(seconds=schedule["seconds"])
    if schedule["kind"] == "cron":
        return schedule["expression"]
    raise PipelineSpecError(f"schedule kind must be interval or cron; found {schedule['kind']!r}")


def window(now: datetime, conf: dict[str, Any], default_hours: int) -> tuple[str, str]:
    """The run's UTC window, as the state machine's DefineWindow state computes it from its input.

    {start, end} as given; {previousDays: N} the N whole UTC days before today (the late-data
    sweep); otherwise {windowHours: N} or the default number of whole hours up to now's hour.
    """
    iso = lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731 - the state machine's $fromMillis format
    now = now.astimezone(timezone.utc)
    hour = now.replace(minute=0, second=0, microsecond=0)
    day = hour.replace(hour=0)
    if "start" in conf and "end" in conf:
        return conf["start"], conf["end"]
    if "previousDays" in conf:
        days = int(conf["previousDays"])
        return iso(day - timedelta(days=days)), iso(day)
    hours = int(conf.get("windowHours", default_hours))
    return iso(hour - timedelta(hours=hours)), iso(hour)


def run_name(run_id: str) -> str:
    """The run id made safe for S3 keys and job names (scheduled__2026-01-01T00:00:00+00:00 -> scheduled__2026-01-01T00-00-00-00-00)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", run_id)


def define_window(default_hours: int, default_conf: dict[str, Any], **context: Any) -> dict[str, str]:
    dag_run = context["dag_run"]
    conf = {**default_conf, **(dag_run.conf or {})}
    # A scheduled run covers the interval that just closed; a manual run ends at the hour it started in.
    now = context["data_interval_end"] if dag_run.run_type == "scheduled" else (dag_run.start_date or datetime.now(timezone.utc))
    start, end = window(now, conf, default_hours)
    return {"start": start, "end": end, "runName": run_name(dag_run.run_id)}


def quality_gate(check_task_id: str, error: str, cause: str, **context: Any) -> dict[str, Any]:
    """Passes when the quality check's report says passed: true; otherwise fails the run without retrying."""
    raw = context["ti"].xcom_pull(task_ids=check_task_id)
    try:
        report = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as failure:
        raise AirflowFailException(f"{error}: {check_task_id} returned no quality report ({failure}); found {raw!r}") from failure
    if not isinstance(report, dict) or report.get("passed") is not True:
        raise AirflowFailException(f"{error}: {cause}. Report of {check_task_id}: {json.dumps(report)}")
    return report


def pipeline_failed() -> None:
    raise AirflowFailException("PipelineFailed: a dataset failed; the alarm topic was notified with the failed tasks")


def retry_arguments(retry: dict[str, Any]) -> dict[str, Any]:
    return {"retries": retry["attempts"], "retry_delay": timedelta(seconds=retry["delaySeconds"]), "retry_exponential_backoff": retry["exponentialBackoff"]}


def step_task(step: dict[str, Any], group_id: str) -> BaseOperator:
    kind = step["kind"]
    if kind == "spark":
        spark = step["spark"]
        common = {"task_id": step["id"], "execution_timeout": timedelta(seconds=step["timeoutSeconds"]), **retry_arguments(step["retry"])}
        attempts = max(1, step["timeoutSeconds"] // SPARK_POLL_SECONDS)
        if spark["mode"] == "serverless":
            return EmrServerlessStartJobOperator(
                application_id=spark["applicationId"],
                execution_role_arn=spark["executionRoleArn"],
                name=spark["name"],
                job_driver=spark["jobDriver"],
                configuration_overrides=spark["configurationOverrides"],
                wait_for_completion=True,
                waiter_delay=SPARK_POLL_SECONDS,
                waiter_max_attempts=attempts,
                **common,
            )
        if spark["mode"] == "cluster":
            return EmrAddStepsOperator(job_flow_id=spark["clusterId"], steps=spark["steps"], wait_for_completion=True, waiter_delay=SPARK_POLL_SECONDS, waiter_max_attempts=attempts, **common)
        raise PipelineSpecError(f"step {step['id']}: spark.mode must be serverless or cluster; found {spark['mode']!r}")
    if kind == "lambda":
        return LambdaInvokeFunctionOperator(
            task_id=step["id"],
            function_name=step["functionArn"],
            payload=json.dumps(step["payload"]),
            execution_timeout=timedelta(seconds=step["timeoutSeconds"]),
            **retry_arguments(step["retry"]),
        )
    if kind == "gate":
        return PythonOperator(
            task_id=step["id"],
            python_callable=quality_gate,
            op_kwargs={"check_task_id": f"{group_id}.{step['check']}", "error": step["error"], "cause": step["cause"]},
            retries=0,
        )
    raise PipelineSpecError(f"step {step.get('id')!r}: kind must be spark, lambda or gate; found {kind!r}")


def build_dag(spec: dict[str, Any], dag_id: str, schedule: timedelta | str, default_conf: dict[str, Any], description: str) -> DAG:
    with DAG(
        dag_id=dag_id,
        description=description,
        schedule=schedule,
        start_date=START_DATE,
        catchup=False,
        max_active_tasks=spec["maxActiveTasks"],
        default_args={"owner": "data-platform"},
        tags=["data-platform", "pipeline"],
        render_template_as_native_obj=False,
    ) as dag:
        define = PythonOperator(task_id="DefineWindow", python_callable=define_window, op_kwargs={"default_hours": spec["windowHours"], "default_conf": default_conf})
        done = EmptyOperator(task_id="PipelineDone")
        notify = SnsPublishOperator(
            task_id="NotifyFailure",
            target_arn=spec["notify"]["topicArn"],
            subject=spec["notify"]["subject"],
            message=(
                "Run {{ run_id }} of {{ dag.dag_id }} failed for window "
                "{{ ti.xcom_pull(task_ids='DefineWindow')['start'] if ti.xcom_pull(task_ids='DefineWindow') else '?' }} to "
                "{{ ti.xcom_pull(task_ids='DefineWindow')['end'] if ti.xcom_pull(task_ids='DefineWindow') else '?' }}: failed tasks "
                "{{ dag_run.get_task_instances(state='failed') | map(attribute='task_id') | join(', ') }}"
            ),
            trigger_rule=TriggerRule.ONE_FAILED,
            retries=3,
            retry_delay=timedelta(seconds=5),
            retry_exponential_backoff=True,
        )
        # A run whose last task succeeded would count as successful: failing here after the
        # notice keeps the run failed (the state machine's PipelineFailed).
        failed = PythonOperator(task_id="PipelineFailed", python_callable=pipeline_failed, retries=0)
        notify >> failed
        stages: dict[str, list[TaskGroup]] = {"ApplyChanges": [], "PerDataset": []}
        every_task: list[BaseOperator] = [define]
        outer = {stage: TaskGroup(group_id=stage) for stage in stages if any(g["stage"] == stage for g in spec["groups"])}
        for group in spec["groups"]:
            with TaskGroup(group_id=group["dataset"], parent_group=outer[group["stage"]]) as task_group:
                tasks = [step_task(step, task_group.group_id) for step in group["steps"]]
                chain(*tasks)
            every_task.extend(tasks)
            stages[group["stage"]].append(task_group)
        # Database datasets first: the transforms' enrichments read the references their apply writes.
        chain(define, *[outer[stage] for stage in ("ApplyChanges", "PerDataset") if stage in outer], done)
        every_task.append(done)
        for task in every_task:
            task >> notify
    return dag


def build_dags(spec: dict[str, Any]) -> dict[str, DAG]:
    dags = {
        spec["dagId"]: build_dag(spec, spec["dagId"], schedule_of(spec["schedule"]), {}, "Transform and load: Spark on EMR, quality checks, Redshift load, per dataset, for a window of UTC hours"),
    }
    sweep = spec.get("sweep")
    if sweep:
        dags[sweep["dagId"]] = build_dag(
            spec,
            sweep["dagId"],
            schedule_of(sweep["schedule"]),
            {"previousDays": sweep["days"]},
            f"Reruns the pipeline over the previous {sweep['days']} UTC day(s) to take in late records",
        )
    return dags


# Airflow finds DAGs among the module's globals.
for _dag_id, _dag in build_dags(load_spec()).items():
    globals()[re.sub(r"\W", "_", _dag_id)] = _dag
