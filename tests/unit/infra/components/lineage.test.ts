import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { LineageConfig } from "../../../../infra/config";
import { Lineage } from "../../../../infra/lineage";
import { lineageEnvironment, lineageUri } from "../../../../infra/lineage/decisions";
import { lineageStatements, sparkLineageStatements, withLineageStatements } from "../../../../infra/lineage/iam";
import { policyDocument } from "../../../../infra/shared/iam";
import { input, json, ofType as planOfType, one, stackRun } from "../../../helpers/stacks";
import { bucket, construct, named, ofType, promiseOf } from "./harness";

const on: LineageConfig = { enabled: true, prefix: "lineage", namespace: "platform-test" };
const access = { bucketArn: "arn:aws:s3:::raw-b", prefix: "lineage", lakeKeyArn: "arn:aws:kms:us-east-1:123456789012:key/lake", region: "us-east-1" };
const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:lineage-api-key-AbCdEf";

describe("Lineage, constructed alone", () => {
    it("hands emitting functions the LINEAGE_* variables of the raw bucket's prefix, encrypted with the lake key, and the Spark job its URI", async () => {
        const { component, resources } = await construct((context) => new Lineage("lineage", { context, lineage: on, rawBucket: bucket("raw") }));
        const environment = await promiseOf(pulumi.output(component.environment));
        assert.deepStrictEqual(Object.keys(environment).sort(), ["LINEAGE_BUCKET", "LINEAGE_NAMESPACE", "LINEAGE_PREFIX", "LINEAGE_SSE_KMS_KEY_ARN"]);
        assert.deepStrictEqual([environment.LINEAGE_PREFIX, environment.LINEAGE_NAMESPACE], ["lineage", "platform-test"]);
        assert.match(String(environment.LINEAGE_SSE_KMS_KEY_ARN), /lake/);
        assert.match(await promiseOf(component.sparkUri!), /^s3:\/\/raw.*\/lineage$/);
        assert.strictEqual((await promiseOf(component.access))?.prefix, "lineage");
        assert.strictEqual(ofType(resources, "aws:secretsmanager/secret:Secret").length, 0);
    });

    it("creates the endpoint's API key secret with the lake key when the stack holds the key as a config secret", async () => {
        const lineage: LineageConfig = { ...on, http: { endpoint: "https://marquez.example.com/api/v1/lineage", apiKey: { kind: "create", configKey: "platform:lineageApiKey" } } };
        const { component, resources } = await construct((context) => new Lineage("lineage", { context, lineage, rawBucket: bucket("raw"), apiKey: pulumi.secret("k-123") }));
        const secret = named(resources, "aws:secretsmanager/secret:Secret", "lineage-api-key");
        assert.strictEqual(secret.parentUrn, resources.find((r) => r.type === "platform:lineage:Lineage")?.urn);
        assert.strictEqual(secret.inputs.name, "platform-test/lineage-api-key");
        assert.match(String(secret.inputs.kmsKeyId), /lake/);
        const environment = await promiseOf(pulumi.output(component.environment));
        assert.strictEqual(environment.LINEAGE_HTTP_ENDPOINT, "https://marquez.example.com/api/v1/lineage");
        assert.ok(environment.LINEAGE_API_KEY_SECRET_ARN);
        assert.ok((await promiseOf(component.access))?.apiKeySecretArn);
    });

    it("hands out nothing when switched off: no variables, no grants, no Spark URI", async () => {
        const { component, resources } = await construct((context) => new Lineage("lineage", { context, lineage: { ...on, enabled: false }, rawBucket: bucket("raw") }));
        assert.deepStrictEqual(component.environment, {});
        assert.strictEqual(await promiseOf(component.access), undefined);
        assert.strictEqual(component.sparkUri, undefined);
        const lineageUrn = resources.find((r) => r.type === "platform:lineage:Lineage")?.urn;
        assert.ok(lineageUrn);
        assert.deepStrictEqual(resources.filter((r) => r.parentUrn === lineageUrn).map((r) => r.type), []);
    });
});

describe("lineage grants (infra/lineage/iam.ts)", () => {
    it("let a function create objects under the prefix only, with the lake key bound to the bucket, and nothing else", () => {
        assert.deepStrictEqual(lineageStatements(access), [
            { Sid: "WriteLineageEvents", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::raw-b/lineage/*" },
            {
                Sid: "EncryptLineageEvents",
                Effect: "Allow",
                Action: "kms:GenerateDataKey",
                Resource: "arn:aws:kms:us-east-1:123456789012:key/lake",
                Condition: { StringEquals: { "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::raw-b", "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
            },
        ]);
    });

    it("add the endpoint's one secret and its decryption through Secrets Manager when an API key is configured", () => {
        const statements = lineageStatements({ ...access, apiKeySecretArn: secretArn });
        assert.deepStrictEqual(statements[2], { Sid: "ReadLineageApiKey", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn });
        assert.deepStrictEqual(statements[3]?.Condition, { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com", "kms:EncryptionContext:SecretARN": secretArn } });
    });

    it("let the Spark job also look up and list the prefix, as Hadoop's file systems do before creating a file", () => {
        const extra = sparkLineageStatements(access).slice(2);
        assert.deepStrictEqual(extra.map((s) => [s.Action, s.Resource]), [
            ["s3:GetObject", "arn:aws:s3:::raw-b/lineage/*"],
            ["s3:ListBucket", "arn:aws:s3:::raw-b"],
        ]);
        assert.deepStrictEqual(extra[1]?.Condition, { StringLike: { "s3:prefix": ["lineage", "lineage/*"] } });
    });

    it("leave a role's policy unchanged when lineage is off", () => {
        const document = policyDocument({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::x/*" });
        assert.strictEqual(withLineageStatements(document, undefined), document);
        assert.strictEqual(withLineageStatements(document, access).Statement.length, 3);
    });

    it("name the variables the runtime reads, with the endpoint's only when configured", () => {
        assert.deepStrictEqual(lineageEnvironment({ bucket: "raw-b", prefix: "lineage", namespace: "n", sseKmsKeyArn: "k" }), { LINEAGE_BUCKET: "raw-b", LINEAGE_PREFIX: "lineage", LINEAGE_NAMESPACE: "n", LINEAGE_SSE_KMS_KEY_ARN: "k" });
        assert.strictEqual(lineageUri("raw-b", "ops/lineage"), "s3://raw-b/ops/lineage");
    });
});

describe("lineage in both stacks", function () {
    this.timeout(300_000);
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: every emitting function gets the raw bucket's lineage prefix, and its role may write there and nowhere else new`, async () => {
            const run = await stackRun(stack);
            const rawBucket = String(one(run, "aws:s3/bucket:Bucket", "lake-raw").state.bucket);
            const functions = planOfType(run, "aws:lambda/function:Function").filter((fn) => /^(ingest-|connectors-|files-|databases-landing|orchestration-(quality|load))/.test(fn.name));
            assert.deepStrictEqual(
                functions.map((fn) => fn.name).sort(),
                ["connectors-fx-rates", "databases-landing", "files-store_inventory", "ingest-orders", "orchestration-load", "orchestration-quality"],
            );
            for (const fn of functions) {
                const variables = input(fn, "environment.variables") as Record<string, string>;
                assert.deepStrictEqual([variables.LINEAGE_BUCKET, variables.LINEAGE_PREFIX, variables.LINEAGE_NAMESPACE], [rawBucket, "lineage", `platform-${stack}`], fn.name);
            }
            const policies = planOfType(run, "aws:iam/rolePolicy:RolePolicy").filter((p) => /^(ingest-.*-role|connectors-.*-role|files-.*-role|databases-landing-role|orchestration-(quality|load)|transform-job)$/.test(p.name));
            assert.deepStrictEqual(policies.map((p) => p.name).sort(), ["connectors-fx-rates-role", "databases-landing-role", "files-store_inventory-role", "ingest-orders-role", "orchestration-load", "orchestration-quality", "transform-job"]);
            for (const policy of policies) {
                const write = (json(policy, "policy").Statement as { Sid?: string; Resource: string }[]).find((s) => s.Sid === "WriteLineageEvents");
                assert.ok(write, `${policy.name} may write lineage`);
                assert.match(write.Resource, new RegExp(`:::${rawBucket}/lineage/\\*$`));
            }
        });

        it(`${stack}: the Spark transform writes its events to the prefix, and Athena reads them as lineage_events`, async () => {
            const run = await stackRun(stack);
            const rawBucket = String(one(run, "aws:s3/bucket:Bucket", "lake-raw").state.bucket);
            const definition = String(input(one(run, "aws:sfn/stateMachine:StateMachine", "orchestration-pipeline"), "definition"));
            // Every Spark run of the pipeline (the transform and the CDC apply) gets the same flags.
            const sparkRuns: { entry: string; args: string[] }[] = [];
            const walk = (node: unknown): void => {
                if (Array.isArray(node)) {
                    node.forEach(walk);
                } else if (node !== null && typeof node === "object") {
                    const o = node as Record<string, unknown>;
                    const submit = o.SparkSubmit as { EntryPoint: string; EntryPointArguments: string[] } | undefined;
                    if (submit) {
                        sparkRuns.push({ entry: submit.EntryPoint, args: submit.EntryPointArguments });
                    }
                    Object.values(o).forEach(walk);
                }
            };
            walk(JSON.parse(definition));
            assert.deepStrictEqual(sparkRuns.map((r) => r.entry.split("/").pop()).sort(), ["cdc_apply.py", "transform_job.py"]);
            for (const { entry, args } of sparkRuns) {
                const at = args.indexOf("--lineage-uri");
                assert.deepStrictEqual([args[at + 1], args[at + 2], args[at + 3]], [`s3://${rawBucket}/lineage`, "--lineage-namespace", `platform-${stack}`], entry);
            }
            const table = one(run, "aws:glue/catalogTable:CatalogTable", "query-lineage");
            assert.strictEqual(input(table, "storageDescriptor.location"), `s3://${rawBucket}/lineage/`);
            assert.strictEqual(input(table, "name"), "lineage_events");
            const queries = planOfType(run, "aws:athena/namedQuery:NamedQuery").map((q) => String(q.inputs.name));
            assert.ok(queries.includes("lineage-failed-runs-last-day"));
            assert.ok(queries.includes("orders-lineage"));
        });

        it(`${stack}: counts the failed emissions the connectors and the load only log, and alarms on any`, async () => {
            const run = await stackRun(stack);
            const filters = planOfType(run, "aws:cloudwatch/logMetricFilter:LogMetricFilter").filter((f) => f.name.endsWith("lineage-failures"));
            assert.deepStrictEqual(filters.map((f) => f.name).sort(), ["connectors-fx-rates-lineage-failures", "orchestration-load-lineage-failures"]);
            for (const filter of filters) {
                assert.strictEqual(filter.inputs.pattern, '"LineageEmitFailures"');
                assert.deepStrictEqual(input(filter, "metricTransformation"), { name: "LineageEmitFailures", namespace: `Platform/platform-${stack}/Lineage`, value: "1", defaultValue: "0", unit: "Count" });
            }
            const alarm = one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "lineage-emit-failures");
            assert.deepStrictEqual([alarm.inputs.namespace, alarm.inputs.metricName, alarm.inputs.comparisonOperator, alarm.inputs.threshold], [`Platform/platform-${stack}/Lineage`, "LineageEmitFailures", "GreaterThanThreshold", 0]);
        });
    }
});
