"""The pipeline DAG (runtime/airflow/platform_pipeline.py) with Apache Airflow 2.10.3 as MWAA runs it.

- it imports with no errors into a DagBag, from the spec the dev stack uploads beside it;
- its task graph is the state machine's, step for step (same state names, same order, same
  retries and timeouts, the CDC apply before the transforms, NotifyFailure on any failure);
- its window is the state machine's DefineWindow;
- a local run (dag.test) executes every task against moto in server mode: the EMR Serverless job
  runs (moto's EMR Serverless accepts the job run and reports it SUCCESS; it does not run Spark,
  which tests/spark covers), the quality and load functions are invoked through the Lambda API
  (moto's Lambda without Docker answers with the result queued for it; the functions' own code is
  tested under tests/unit and tests/integration), and a failed quality gate publishes the run's
  failed tasks to the SNS alarm topic.
"""

import contextlib
import importlib.util
import json
import os
import shutil
import urllib.request
import uuid
from datetime import datetime, timezone
from pathlib import Path

import boto3
import botocore.client
import pytest

from conftest import DAG_FILE, ROOT

# The AWS requests the DAG's tasks make, with logical names for the local resources; the IAM
# simulation (tests/unit/infra/airflow.test.ts) checks each against the MWAA execution role.
IAM_FIXTURE = ROOT / "tests" / "fixtures" / "iam" / "airflow-requests.json"

MOTO_PORT = os.environ.get("MOTO_PORT", "5055")
MOTO = f"http://127.0.0.1:{MOTO_PORT}"
REGION = "us-east-1"


def load_module(spec_path: Path):
    os.environ["PLATFORM_PIPELINE_SPEC"] = str(spec_path)
    module_spec = importlib.util.spec_from_file_location(f"platform_pipeline_{uuid.uuid4().hex}", DAG_FILE)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def test_the_dag_file_imports_into_a_dagbag_with_no_errors(tmp_path: Path, spec_path: Path, spec: dict) -> None:
    from airflow.models import DagBag

    shutil.copy(DAG_FILE, tmp_path / DAG_FILE.name)
    shutil.copy(spec_path, tmp_path / "platform_pipeline.json")
    os.environ.pop("PLATFORM_PIPELINE_SPEC", None)
    bag = DagBag(dag_folder=str(tmp_path), include_examples=False)
    assert bag.import_errors == {}
    assert sorted(bag.dag_ids) == sorted([spec["dagId"], spec["sweep"]["dagId"]])


def asl_chain(processor: dict) -> list[dict]:
    """The Task and Choice states of a Map's item processor in the order they run (Fail and Succeed end it)."""
    states, name, chain = processor["States"], processor["StartAt"], []
    while name is not None:
        state = states[name]
        if state["Type"] in ("Fail", "Succeed"):
            break
        chain.append({"name": name, **state})
        name = state.get("Next") or (state["Choices"][0]["Next"] if state["Type"] == "Choice" else None)
    return chain


def test_the_task_graph_is_the_state_machines_step_for_step(spec_path: Path, state_machine: dict) -> None:
    dag = load_module(spec_path).build_dags(json.loads(spec_path.read_text()))[json.loads(spec_path.read_text())["dagId"]]
    states = state_machine["States"]
    maps = [name for name in ("ApplyChanges", "PerDataset") if name in states]
    assert maps == ["ApplyChanges", "PerDataset"], "the dev stack captures a database, so both Maps are expected"
    assert dag.max_active_tasks == states["PerDataset"]["MaxConcurrency"]

    expected_tasks = {"DefineWindow", "NotifyFailure", "PipelineFailed", "PipelineDone"}
    for map_name in maps:
        chain = asl_chain(states[map_name]["ItemProcessor"])
        datasets = [item["dataset"] for item in states[map_name]["Items"]]
        assert datasets, f"{map_name} has no datasets"
        for dataset in datasets:
            ids = [f"{map_name}.{dataset}.{state['name']}" for state in chain]
            expected_tasks.update(ids)
            for state, task_id, following in zip(chain, ids, ids[1:] + [None]):
                task = dag.get_task(task_id)
                if following:
                    assert task.downstream_task_ids - {"NotifyFailure"} == {following}, task_id
                if state["Type"] == "Choice":
                    assert task.retries == 0, f"{task_id}: a gate fails the run at once"
                    continue
                assert task.execution_timeout.total_seconds() == state["TimeoutSeconds"], task_id
                assert task.retries == max(r["MaxAttempts"] for r in state["Retry"]), task_id
                assert task.retry_delay.total_seconds() == max(r["IntervalSeconds"] for r in state["Retry"]), task_id
                if state["Resource"] == "arn:aws:states:::lambda:invoke":
                    assert task.function_name == state["Arguments"]["FunctionName"], task_id
                    assert sorted(json.loads(task.payload)) == sorted(state["Arguments"]["Payload"]), task_id
                else:
                    assert state["Resource"] == "arn:aws:states:::emr-serverless:startJobRun.sync", task_id
                    assert task.application_id == state["Arguments"]["ApplicationId"], task_id
                    assert task.execution_role_arn == state["Arguments"]["ExecutionRoleArn"], task_id
                    driver, asl_driver = task.job_driver["sparkSubmit"], state["Arguments"]["JobDriver"]["SparkSubmit"]
                    assert driver["entryPoint"] == asl_driver["EntryPoint"], task_id
                    assert driver["sparkSubmitParameters"] == asl_driver["SparkSubmitParameters"], task_id
                    # The same flags in the same order; the values differ only where each orchestrator names its run.
                    assert driver["entryPointArguments"][0::2] == asl_driver["EntryPointArguments"][0::2], task_id
    assert {t.task_id for t in dag.tasks} == expected_tasks
    last_cdc = {t for t in expected_tasks if t.startswith("ApplyChanges.") and t.endswith("SyncedQualityGate")}
    first_transforms = {t for t in expected_tasks if t.startswith("PerDataset.") and t.endswith(".Transform")}
    # Every dataset of the first Map finishes before any of the second starts.
    for gate in last_cdc:
        assert first_transforms <= dag.get_task(gate).downstream_task_ids
    assert dag.get_task("DefineWindow").downstream_task_ids - {"NotifyFailure"} == {t for t in expected_tasks if t.endswith(".ApplyCdc")}
    notify = dag.get_task("NotifyFailure")
    assert notify.upstream_task_ids == expected_tasks - {"NotifyFailure", "PipelineFailed"}
    assert dag.get_task("PipelineFailed").upstream_task_ids == {"NotifyFailure"} and states["NotifyFailure"]["Next"] == "PipelineFailed"
    assert notify.trigger_rule == "one_failed"
    assert notify.target_arn == states["NotifyFailure"]["Arguments"]["TopicArn"]


def test_the_sweep_dag_rebuilds_the_previous_days_on_its_own_schedule(spec_path: Path, spec: dict) -> None:
    dags = load_module(spec_path).build_dags(spec)
    sweep = dags[spec["sweep"]["dagId"]]
    assert str(sweep.schedule_interval) == spec["sweep"]["schedule"]["expression"]
    assert sweep.get_task("DefineWindow").op_kwargs["default_conf"] == {"previousDays": spec["sweep"]["days"]}
    assert {t.task_id for t in sweep.tasks} == {t.task_id for t in dags[spec["dagId"]].tasks}


@pytest.mark.parametrize(
    "conf, expected",
    [
        ({}, ("2026-03-04T00:00:00.000Z", "2026-03-04T06:00:00.000Z")),
        ({"windowHours": 2}, ("2026-03-04T04:00:00.000Z", "2026-03-04T06:00:00.000Z")),
        ({"previousDays": 2}, ("2026-03-02T00:00:00.000Z", "2026-03-04T00:00:00.000Z")),
        ({"start": "2026-01-01T00:00:00.000Z", "end": "2026-01-02T00:00:00.000Z"}, ("2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z")),
    ],
)
def test_the_window_is_the_state_machines_define_window(spec_path: Path, conf: dict, expected: tuple) -> None:
    module = load_module(spec_path)
    assert module.window(datetime(2026, 3, 4, 6, 41, 7, tzinfo=timezone.utc), conf, 6) == expected


def test_a_spec_from_another_version_is_refused_with_the_fix(tmp_path: Path, spec_path: Path, spec: dict) -> None:
    module = load_module(spec_path)
    bad = tmp_path / "platform_pipeline.json"
    bad.write_text(json.dumps({**spec, "version": 2}))
    with pytest.raises(module.PipelineSpecError, match="expected version 1, found 2; deploy the DAG file and the spec from the same commit"):
        module.load_spec(str(bad))
    with pytest.raises(module.PipelineSpecError, match="not found"):
        module.load_spec(str(tmp_path / "missing.json"))


# --- A local run against moto ---------------------------------------------------------------------


def moto_post(path: str, body: dict) -> None:
    request = urllib.request.Request(f"{MOTO}{path}", data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()


def client(service: str):
    return boto3.client(service, endpoint_url=MOTO, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture()
def local_stack(tmp_path: Path, spec: dict, monkeypatch: pytest.MonkeyPatch):
    """Moto stand-ins for the spec's resources, and the spec pointed at them (one dataset of each stage)."""
    try:
        urllib.request.urlopen(f"{MOTO}/moto-api/").read()
    except OSError as error:
        raise RuntimeError(f"moto is not listening on {MOTO}: start it with MOTO_PORT={MOTO_PORT} tools/services/moto.sh start") from error
    moto_post("/moto-api/reset", {})
    moto_post("/moto-api/config", {"lambda": {"use_docker": False}})
    role = client("iam").create_role(RoleName="pipeline-functions", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    functions = sorted({step["functionArn"] for group in spec["groups"] for step in group["steps"] if step["kind"] == "lambda"})
    lam = client("lambda")
    for arn in functions:
        lam.create_function(FunctionName=arn.split(":")[-1], Runtime="nodejs22.x", Role=role, Handler="index.handler", Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18})
    application = client("emr-serverless").create_application(name="spark", releaseLabel="emr-7.5.0", type="SPARK")["applicationId"]
    sns, sqs = client("sns"), client("sqs")
    topic = sns.create_topic(Name="platform-dev-alarms")["TopicArn"]
    queue = sqs.create_queue(QueueName="alarms")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})

    groups = [next(g for g in spec["groups"] if g["stage"] == "ApplyChanges"), next(g for g in spec["groups"] if g["stage"] == "PerDataset")]
    for group in groups:
        for step in group["steps"]:
            if step["kind"] == "spark":
                step["spark"]["applicationId"] = application
    local = {**spec, "groups": groups, "notify": {**spec["notify"], "topicArn": topic}}
    path = tmp_path / "platform_pipeline.json"
    path.write_text(json.dumps(local))
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps({"conn_type": "aws", "extra": {"endpoint_url": MOTO, "region_name": REGION}}))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    job_role = next(step["spark"]["executionRoleArn"] for g in groups for step in g["steps"] if step["kind"] == "spark")
    names = {topic: "{alarmTopic}", application: "{application}", job_role: "{jobRole}"}
    names.update({arn: "{" + arn.rsplit("-", 1)[-1] + "Function}" for arn in functions})
    return {"spec": local, "path": path, "queue": queue, "application": application, "names": names}


RECORDED: list[dict] = []


@contextlib.contextmanager
def recording(names: dict[str, str]):
    """Records every AWS API call made inside (the DAG's tasks), local names replaced by logical ones."""
    original = botocore.client.BaseClient._make_api_call

    def logical(value):
        if isinstance(value, str):
            for local, name in names.items():
                value = value.replace(local, name)
            return value
        if isinstance(value, dict):
            return {k: logical(v) for k, v in value.items()}
        if isinstance(value, list):
            return [logical(v) for v in value]
        return value

    def record(client, operation, params):
        iam_fields = ("applicationId", "jobRunId", "executionRoleArn", "FunctionName", "TopicArn", "TargetArn")
        RECORDED.append({"service": client.meta.service_model.service_name, "operation": operation, "input": {k: logical(v) for k, v in params.items() if k in iam_fields}})
        return original(client, operation, params)

    botocore.client.BaseClient._make_api_call = record
    try:
        yield
    finally:
        botocore.client.BaseClient._make_api_call = original


def queue_lambda_results(results: list) -> None:
    moto_post("/moto-api/static/lambda-simple/response", {"account_id": "123456789012", "region": REGION, "results": [json.dumps(r) for r in results]})


def messages(queue: str) -> list[str]:
    found = client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    return [m["Body"] for m in found]


def test_a_local_run_executes_every_task_against_moto(local_stack: dict) -> None:
    from airflow.utils.state import DagRunState, TaskInstanceState

    spec = local_stack["spec"]
    # Every invocation answers as a passing check would (the load's result is not read by the DAG).
    queue_lambda_results([{"passed": True, "errors": 0}] * 10)
    dag = load_module(local_stack["path"]).build_dags(spec)[spec["dagId"]]
    with recording(local_stack["names"]):
        run = dag.test(run_conf={"start": "2026-03-04T00:00:00.000Z", "end": "2026-03-04T06:00:00.000Z"})
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert run.state == DagRunState.SUCCESS, states
    assert states.pop("NotifyFailure") == TaskInstanceState.SKIPPED
    assert states.pop("PipelineFailed") == TaskInstanceState.SKIPPED
    assert set(states.values()) == {TaskInstanceState.SUCCESS}
    jobs = client("emr-serverless").list_job_runs(applicationId=local_stack["application"])["jobRuns"]
    assert sorted(j["name"] for j in jobs) == sorted(f"{kind}-{g['dataset']}-2026-03-04T00:00:00.000Z" for kind, g in zip(["cdc-apply", "transform"], spec["groups"]))
    assert messages(local_stack["queue"]) == []


def test_a_failed_quality_gate_fails_the_run_and_notifies_the_alarm_topic(local_stack: dict) -> None:
    from airflow.utils.state import DagRunState, TaskInstanceState

    spec = local_stack["spec"]
    # The CDC sync's load, then its quality check, which reports an error-level failure.
    queue_lambda_results([{"loaded": 0}, {"passed": False, "errors": 1}])
    dag = load_module(local_stack["path"]).build_dags(spec)[spec["dagId"]]
    with recording(local_stack["names"]):
        run = dag.test(run_conf={"start": "2026-03-04T00:00:00.000Z", "end": "2026-03-04T06:00:00.000Z"})
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert run.state == DagRunState.FAILED, states
    gate = f"ApplyChanges.{spec['groups'][0]['dataset']}.SyncedQualityGate"
    assert states[gate] == TaskInstanceState.FAILED
    assert states[f"PerDataset.{spec['groups'][1]['dataset']}.Transform"] == TaskInstanceState.UPSTREAM_FAILED
    assert states["NotifyFailure"] == TaskInstanceState.SUCCESS
    assert states["PipelineFailed"] == TaskInstanceState.FAILED
    [notice] = messages(local_stack["queue"])
    assert f"failed tasks {gate}" in notice and "2026-03-04T00:00:00.000Z to 2026-03-04T06:00:00.000Z" in notice, notice


def test_the_aws_requests_of_the_runs_are_the_ones_the_iam_simulation_checks() -> None:
    """The distinct requests both local runs made, as the committed fixture lists them (AIRFLOW_IAM_UPDATE=1 rewrites it)."""
    assert RECORDED, "run the local-run tests first (they record the requests)"
    distinct = sorted({json.dumps(call, sort_keys=True) for call in RECORDED})
    calls = [json.loads(c) for c in distinct]
    for call in calls:
        if "jobRunId" in call["input"]:
            call["input"]["jobRunId"] = "{jobRun}"
    calls = [json.loads(c) for c in sorted({json.dumps(c, sort_keys=True) for c in calls})]
    if os.environ.get("AIRFLOW_IAM_UPDATE") == "1":
        IAM_FIXTURE.write_text(json.dumps(calls, indent=1) + "\n")
    assert calls == json.loads(IAM_FIXTURE.read_text()), f"the DAG's AWS requests changed; rerun with AIRFLOW_IAM_UPDATE=1 and check {IAM_FIXTURE.relative_to(ROOT)}"
