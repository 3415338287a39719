import * as assert from "assert";
import * as fs from "fs";
import { s3ReadStatements } from "../../../infra/shared/iam";
import { Caller, Document, entryHolds, evaluate, NamedPolicy } from "../../helpers/iam/evaluate";
import { logicalInput, RecordedCall } from "../../helpers/iam/recorder";
import { checkRecording, fixturePath } from "../../helpers/iam/recording";
import { iamChecks, ResourceNames, UnmappedCallError } from "../../helpers/iam/requests";
import { simulate, stackPolicies, unusedGrants } from "../../helpers/iam/simulate";
import { stackRun } from "../../helpers/stacks";

/** The runtime's AWS requests as the integration run recorded them (refresh: IAM_RECORDING_UPDATE=1 npm run test:integration). */
const recorded = JSON.parse(fs.readFileSync(fixturePath, "utf8")) as RecordedCall[];

const caller: Caller = { roleArn: "arn:aws:iam::111122223333:role/ingest", account: "111122223333", userId: "AROAEXAMPLE:session" };
const doc = (...Statement: Document["Statement"][]): NamedPolicy => ({ name: "policy", document: { Statement: Statement.flat() as never } });
const allow = (action: string, resource: string, Condition?: Record<string, Record<string, unknown>>) => ({ Effect: "Allow" as const, Action: action, Resource: resource, ...(Condition ? { Condition } : {}) });
const names: ResourceNames = {
    partition: "aws",
    region: "us-east-1",
    account: "111122223333",
    buckets: { raw: { name: "raw-b", keyArn: "arn:aws:kms:us-east-1:111122223333:key/lake" } },
};
const call = (operation: string, input: Readonly<Record<string, string | readonly string[]>>, outcome = "ok"): RecordedCall => ({ component: "batch", dataset: "orders", service: "S3", operation, input, outcome });

/**
 * Granted actions no recorded request uses, each with the reason it stays. A new grant that no
 * recorded request uses fails the last test until it is removed or given a reason here.
 */
const unusedButNeeded: Readonly<Record<string, string>> = {
    "s3:GetObjectVersion": "shared reader grant (infra/shared/iam.ts s3ReadStatements): restores from a noncurrent version in the versioned lake buckets; no runtime path reads versions",
    "s3:AbortMultipartUpload": "shared writer grant (s3WriteStatements): Spark's S3A writes multipart and aborts on failure; the SDK PutObject the runtime sends never does",
    "s3:ListMultipartUploadParts": "shared writer grant (s3WriteStatements): Spark's S3A resumes multipart uploads; unused by PutObject",
    "s3:GetObject": "ingest: the handler re-reads an existing object's body only when a conditional write finds it with other metadata (runtime/ingest/write.ts); load: Redshift reads manifests with the warehouse role, the load role keeps read access to what it wrote",
    "kms:Encrypt": "shared key-use grant (kmsUseStatement); the services encrypt through data keys, Encrypt itself is unused",
    "kms:GenerateDataKeyWithoutPlaintext": "shared key-use grant (kmsUseStatement); unused by S3 and SQS",
    "kms:DescribeKey": "shared key-use grant (kmsUseStatement); asked by Lambda for the source stream's key before the mapping starts",
    "kms:Decrypt": "prod ingest: decrypts the failure queue's and the MSK source's data with the streaming key (Lambda service, with the function's role)",
    "logs:CreateLogStream": "the Lambda service writes the function's logs with its role",
    "logs:PutLogEvents": "the Lambda service writes the function's logs with its role",
    "xray:PutTraceSegments": "active tracing: the Lambda service sends trace segments with the function's role",
    "xray:PutTelemetryRecords": "active tracing: the Lambda service sends telemetry with the function's role",
    "sqs:SendMessage": "the event source mapping's on-failure destination: Lambda sends the failed batch's record with the function's role",
    "kinesis:DescribeStream": "the event source mapping describes the stream when it is created (Lambda service, the function's role)",
    "kinesis:ListStreams": "the Lambda console and mapping validation list streams; wildcard-only action",
    "redshift-data:CancelStatement": "the Data API executor cancels a statement that exceeds its timeout (runtime/warehouse/dataApi.ts); the integration run has no timeout",
    "kafka:DescribeCluster": "MSK event source mapping (Lambda service) resolves the cluster with the function's role; kafkajs against the local broker makes no AWS request",
    "kafka:DescribeClusterV2": "as kafka:DescribeCluster",
    "kafka:GetBootstrapBrokers": "as kafka:DescribeCluster",
    "kafka-cluster:Connect": "MSK IAM authentication of the event source mapping's consumer",
    "kafka-cluster:DescribeClusterDynamicConfiguration": "MSK IAM authentication of the event source mapping's consumer",
    "kafka-cluster:DescribeTopic": "the mapping's consumer reads the topic (MSK IAM)",
    "kafka-cluster:ReadData": "the mapping's consumer reads the topic (MSK IAM)",
    "kafka-cluster:AlterGroup": "the mapping's consumer group commits offsets (MSK IAM)",
    "kafka-cluster:DescribeGroup": "the mapping's consumer group (MSK IAM)",
    "ec2:CreateNetworkInterface": "the MSK mapping reaches the cluster through ENIs Lambda creates in the VPC with the function's role",
    "ec2:DeleteNetworkInterface": "Lambda removes the mapping's ENIs",
    "ec2:DescribeNetworkInterfaces": "Lambda manages the mapping's ENIs",
    "ec2:DescribeVpcs": "Lambda validates the mapping's VPC",
    "ec2:DescribeSubnets": "Lambda validates the mapping's subnets",
    "ec2:DescribeSecurityGroups": "Lambda validates the mapping's security group",
};

describe("IAM simulation of the runtime's recorded AWS requests against the plan", function () {
    this.timeout(300_000);

    it("allows every recorded request, in dev and prod, for the role that makes it (identity, bucket and key policies)", async () => {
        assert.ok(recorded.length > 100, `${fixturePath} holds ${recorded.length} requests`);
        const { simulated, denials } = await checkRecording(recorded);
        assert.deepStrictEqual(denials, []);
        const roles = new Set(simulated.map((s) => `${s.stack} ${s.role}`));
        assert.deepStrictEqual([...roles].sort(), [
            "dev batch-job",
            "dev connectors-fx-rates-role",
            "dev databases-landing-role",
            "dev files-store_inventory-role",
            "dev ingest-orders-role",
            "dev orchestration-load",
            "prod batch-job",
            "prod connectors-fx-rates-role",
            "prod databases-landing-role",
            "prod files-store_inventory-role",
            "prod ingest-orders-role",
            "prod orchestration-load",
        ]);
        // KMS checks go through the key policies: S3 SSE-KMS, Kinesis SSE and the admin secret.
        assert.ok(simulated.some((s) => s.check.action === "kms:GenerateDataKey" && s.check.context["kms:ViaService"] === "s3.us-east-1.amazonaws.com"));
        assert.ok(simulated.some((s) => s.stack === "dev" && s.check.action === "kms:Decrypt" && s.check.context["kms:ViaService"] === "kinesis.us-east-1.amazonaws.com"));
        assert.ok(simulated.some((s) => s.check.action === "secretsmanager:GetSecretValue"));
    });

    it("denies, naming role, action, resource and the missing statement, when the plan drops an action the runtime needs", async () => {
        const run = await stackRun("dev");
        const withoutPut = stackPolicies(run, {
            rolePolicy: (role, document) =>
                role === "ingest-orders-role"
                    ? { Statement: (document.Statement as readonly { Action?: string | string[] }[]).map((s) => ({ ...s, Action: ([] as string[]).concat(s.Action ?? []).filter((a) => a !== "s3:PutObject") })) as never }
                    : document,
        });
        const denied = simulate(recorded, withoutPut).filter((s) => s.decision.decision !== "allowed");
        assert.ok(denied.length > 0);
        assert.ok(denied.every((s) => s.role === "ingest-orders-role" && s.check.action === "s3:PutObject"));
        const message = (await import("../../helpers/iam/simulate")).describeDenial(denied[0]!);
        assert.match(message, /^dev: role ingest-orders-role \(ingest\) is denied s3:PutObject on arn:aws:s3:::lake-(raw|rejects)-[0-9a-f]+\/orders\//);
        assert.match(message, /no statement of dev role policy ingest-orders-role, dev bucket policy lake-(raw|rejects) allows it\. Missing statement: \{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::lake-/);
    });

    it("a missing key answers 404 only with an unconditioned s3:ListBucket: the batch job's grant before and after the fix", () => {
        const head = iamChecks(call("HeadObject", { Bucket: "{raw}", Key: "orders/_compaction/m.json" }, "NotFound"), names, caller.userId);
        assert.deepStrictEqual(head.map((c) => [c.action, c.resource]), [["s3:GetObject", "arn:aws:s3:::raw-b/orders/_compaction/m.json"], ["s3:ListBucket", "arn:aws:s3:::raw-b"]]);
        const decide = (statements: ReturnType<typeof s3ReadStatements>) => evaluate(head[1]!, caller, { identity: [doc(statements as never)] }).decision;
        assert.strictEqual(decide(s3ReadStatements("arn:aws:s3:::raw-b", ["orders/"])), "implicitDeny");
        assert.strictEqual(decide(s3ReadStatements("arn:aws:s3:::raw-b", ["orders/"], { headsMissingKeys: true })), "allowed");
    });

    it("maps operations to IAM checks: SSE-KMS data keys, list prefixes, multi-object deletes, statement owners", () => {
        const put = iamChecks(call("PutObject", { Bucket: "{raw}", Key: "orders/a.gz", IfNoneMatch: "*" }), names, caller.userId);
        assert.deepStrictEqual(put.map((c) => c.action), ["s3:PutObject", "kms:GenerateDataKey"]);
        assert.deepStrictEqual(put[1]!.context["kms:EncryptionContext:aws:s3:arn"], "arn:aws:s3:::raw-b");
        assert.strictEqual(put[1]!.resourceKind, "key");
        const list = iamChecks(call("ListObjectsV2", { Bucket: "{raw}", Prefix: "orders/dt=2024-05-01/" }), names, caller.userId);
        assert.deepStrictEqual([list[0]!.action, list[0]!.resource, list[0]!.context["s3:prefix"]], ["s3:ListBucket", "arn:aws:s3:::raw-b", "orders/dt=2024-05-01/"]);
        const del = iamChecks(call("DeleteObjects", { Bucket: "{raw}", DeleteKeys: ["orders/a", "orders/b"] }), names, caller.userId);
        assert.deepStrictEqual(del.map((c) => `${c.action} ${c.resource}`), ["s3:DeleteObject arn:aws:s3:::raw-b/orders/a", "s3:DeleteObject arn:aws:s3:::raw-b/orders/b"]);
        const headOk = iamChecks(call("HeadObject", { Bucket: "{raw}", Key: "orders/a" }), names, caller.userId);
        assert.deepStrictEqual(headOk.map((c) => c.action), ["s3:GetObject"]);
        const describe = iamChecks({ ...call("DescribeStatement", {}), service: "Redshift Data" }, names, caller.userId);
        assert.deepStrictEqual(describe[0]!.context, { "redshift-data:statement-owner-iam-userid": "AROAEXAMPLE:session" });
    });

    it("maps the API connector's secret read to GetSecretValue on its secret and a Decrypt with the lake key through Secrets Manager", () => {
        const withSecret = { ...names, apiSecret: { arn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:/p/fx-AbC123", keyArn: "arn:aws:kms:us-east-1:111122223333:key/lake" } };
        const checks = iamChecks({ ...call("GetSecretValue", { SecretId: "{apiSecret}" }), component: "connector", dataset: "fx_rates", service: "Secrets Manager" }, withSecret, caller.userId);
        assert.deepStrictEqual(checks.map((c) => [c.action, c.resource, c.context["kms:ViaService"] ?? ""]), [
            ["secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:111122223333:secret:/p/fx-AbC123", ""],
            ["kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/lake", "secretsmanager.us-east-1.amazonaws.com"],
        ]);
        assert.throws(() => iamChecks({ ...call("GetSecretValue", { SecretId: "{unbound secret x}" }), service: "Secrets Manager" }, withSecret, caller.userId), /not bound to a plan resource/);
        assert.throws(() => iamChecks({ ...call("GetSecretValue", { SecretId: "{apiSecret}" }), service: "Secrets Manager" }, names, caller.userId), /no API connector secret/);
    });

    it("maps the file drops' operations: named versions, tagging, copies and Batch SubmitJob", () => {
        const withBatch = { ...names, batch: { jobQueueArn: "arn:aws:batch:us-east-1:111122223333:job-queue/q", jobDefinitionArn: "arn:aws:batch:us-east-1:111122223333:job-definition/d:1" } };
        const actions = (operation: string, input: Record<string, string>, service = "S3") => iamChecks({ ...call(operation, input), service }, withBatch, caller.userId).map((c) => `${c.action} ${c.resource}`);
        assert.deepStrictEqual(actions("GetObject", { Bucket: "{raw}", Key: "k", VersionId: "set" }).slice(0, 1), ["s3:GetObjectVersion arn:aws:s3:::raw-b/k"]);
        assert.deepStrictEqual(actions("PutObjectTagging", { Bucket: "{raw}", Key: "k", VersionId: "set" }), ["s3:PutObjectVersionTagging arn:aws:s3:::raw-b/k"]);
        assert.deepStrictEqual(actions("CopyObject", { Bucket: "{raw}", Key: "q/k", CopySourceBucket: "{raw}", CopySourceKey: "in/k", CopySourceVersionId: "set" }).slice(0, 2), ["s3:PutObject arn:aws:s3:::raw-b/q/k", "s3:GetObjectVersion arn:aws:s3:::raw-b/in/k"]);
        assert.deepStrictEqual(actions("SubmitJob", { jobQueue: "{jobQueue}", jobDefinition: "{jobDefinition}" }, "Batch"), ["batch:SubmitJob arn:aws:batch:us-east-1:111122223333:job-queue/q", "batch:SubmitJob arn:aws:batch:us-east-1:111122223333:job-definition/d:1"]);
    });

    it("names what to do for an unmapped operation or a local resource the test did not bind", () => {
        assert.throws(() => iamChecks(call("RestoreObject", { Bucket: "{raw}", Key: "k" }), names, caller.userId), (e: unknown) => e instanceof UnmappedCallError && /S3 RestoreObject has no IAM mapping; add it to s3Checks in tests\/helpers\/iam\/requests\.ts/.test(e.message));
        const input = logicalInput({ component: "batch", dataset: "orders", buckets: { "raw-123": "raw" } }, { Bucket: "other-9", Key: "k" });
        assert.throws(() => iamChecks(call("GetObject", input), names, caller.userId), /Bucket \{unbound bucket other-9\} is not bound to a plan resource; pass it in recordAs/);
    });

    describe("the evaluator", () => {
        const request = (action: string, resource: string, context: Record<string, string | string[]> = {}) => ({ action, resource, context });

        it("an explicit Deny in a bucket policy wins over an identity Allow (TLS-only bucket)", () => {
            const identity = [doc(allow("s3:*", "arn:aws:s3:::b/*"))];
            const bucket = doc({ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Resource: "arn:aws:s3:::b/*", Condition: { Bool: { "aws:SecureTransport": "false" } } } as never);
            assert.strictEqual(evaluate(request("s3:GetObject", "arn:aws:s3:::b/k"), caller, { identity, resource: bucket }).decision, "allowed");
            const plain = evaluate(request("s3:GetObject", "arn:aws:s3:::b/k", { "aws:SecureTransport": "false" }), caller, { identity, resource: bucket });
            assert.deepStrictEqual([plain.decision, plain.by], ["explicitDeny", ["policy statement DenyInsecureTransport"]]);
        });

        it("a KMS key policy must allow the role itself or delegate to the account; delegation needs the identity Allow", () => {
            const key = "arn:aws:kms:us-east-1:111122223333:key/k";
            const identity = [doc(allow("kms:Decrypt", key))];
            const delegating = doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" } as never);
            const servicesOnly = doc({ Effect: "Allow", Principal: { Service: "logs.amazonaws.com" }, Action: "kms:*", Resource: "*" } as never);
            const direct = doc({ Effect: "Allow", Principal: { AWS: caller.roleArn }, Action: "kms:Decrypt", Resource: "*" } as never);
            assert.strictEqual(evaluate(request("kms:Decrypt", key), caller, { identity, keyPolicy: delegating }).decision, "allowed");
            assert.strictEqual(evaluate(request("kms:Decrypt", key), caller, { identity: [], keyPolicy: delegating }).decision, "implicitDeny");
            assert.strictEqual(evaluate(request("kms:Decrypt", key), caller, { identity, keyPolicy: servicesOnly }).decision, "implicitDeny");
            assert.strictEqual(evaluate(request("kms:Decrypt", key), caller, { identity: [], keyPolicy: direct }).decision, "allowed");
        });

        it("a resource policy naming the role allows without an identity grant; one naming the account does not", () => {
            const queue = "arn:aws:sqs:us-east-1:111122223333:q";
            const toRole = doc({ Effect: "Allow", Principal: { AWS: caller.roleArn }, Action: "sqs:SendMessage", Resource: queue } as never);
            const toAccount = doc({ Effect: "Allow", Principal: { AWS: "111122223333" }, Action: "sqs:SendMessage", Resource: queue } as never);
            assert.strictEqual(evaluate(request("sqs:SendMessage", queue), caller, { identity: [], resource: toRole }).decision, "allowed");
            assert.strictEqual(evaluate(request("sqs:SendMessage", queue), caller, { identity: [], resource: toAccount }).decision, "implicitDeny");
        });

        it("matches actions case-insensitively with wildcards, NotAction and NotResource", () => {
            assert.strictEqual(evaluate(request("s3:PutObject", "arn:aws:s3:::b/k"), caller, { identity: [doc(allow("S3:Put*", "arn:aws:s3:::b/*"))] }).decision, "allowed");
            assert.strictEqual(evaluate(request("s3:PutObject", "arn:aws:s3:::c/k"), caller, { identity: [doc(allow("s3:*", "arn:aws:s3:::b/*"))] }).decision, "implicitDeny");
            const notAction = doc({ Effect: "Allow", NotAction: "s3:Delete*", Resource: "*" } as never);
            assert.strictEqual(evaluate(request("s3:DeleteObject", "arn:aws:s3:::b/k"), caller, { identity: [notAction] }).decision, "implicitDeny");
            assert.strictEqual(evaluate(request("s3:GetObject", "arn:aws:s3:::b/k"), caller, { identity: [notAction] }).decision, "allowed");
            const notResource = doc({ Effect: "Deny", Action: "s3:*", NotResource: "arn:aws:s3:::b/*" } as never, allow("s3:*", "*"));
            assert.strictEqual(evaluate(request("s3:GetObject", "arn:aws:s3:::c/k"), caller, { identity: [notResource] }).decision, "explicitDeny");
            assert.strictEqual(evaluate(request("s3:GetObject", "arn:aws:s3:::b/k"), caller, { identity: [notResource] }).decision, "allowed");
        });

        const holds = (operator: string, key: string, values: unknown, context: Record<string, string | string[]>) =>
            evaluate(request("s3:ListBucket", "arn:aws:s3:::b", context), caller, { identity: [doc(allow("s3:ListBucket", "arn:aws:s3:::b", { [operator]: { [key]: values } }))] }).decision === "allowed";

        it("evaluates the String, Arn, Numeric, Date, Bool, IpAddress and Null operators", () => {
            assert.ok(holds("StringLike", "s3:prefix", ["orders/*"], { "s3:prefix": "orders/dt=1/" }));
            assert.ok(!holds("StringLike", "s3:prefix", ["orders/*"], { "s3:prefix": "payments/" }));
            assert.ok(!holds("StringLike", "s3:prefix", ["orders/*"], {}), "an absent key fails a plain operator");
            assert.ok(holds("StringEqualsIgnoreCase", "s3:prefix", "ORDERS/", { "s3:prefix": "orders/" }));
            assert.ok(holds("StringNotEquals", "s3:prefix", "x", { "s3:prefix": "y" }) && !holds("StringNotEquals", "s3:prefix", "x", { "s3:prefix": "x" }));
            assert.ok(holds("ArnLike", "aws:SourceArn", "arn:aws:s3:::raw-*", { "aws:SourceArn": "arn:aws:s3:::raw-1" }));
            assert.ok(!holds("ArnEquals", "aws:SourceArn", "arn:aws:s3:::raw-1", { "aws:SourceArn": "arn:aws:s3:::raw-2" }));
            assert.ok(holds("NumericLessThan", "s3:TlsVersion", "1.2", { "s3:TlsVersion": "1.0" }) && !holds("NumericLessThan", "s3:TlsVersion", "1.2", { "s3:TlsVersion": "1.3" }));
            assert.ok(holds("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z", { "aws:CurrentTime": "2026-12-05T00:00:00Z" }));
            assert.ok(holds("Bool", "aws:SecureTransport", "true", {}), "the SDK's requests to AWS are TLS");
            assert.ok(holds("IpAddress", "aws:SourceIp", ["10.0.0.0/8"], { "aws:SourceIp": "10.1.2.3" }) && !holds("IpAddress", "aws:SourceIp", ["10.0.0.0/8"], { "aws:SourceIp": "192.0.2.1" }));
            assert.ok(holds("Null", "s3:prefix", "true", {}) && !holds("Null", "s3:prefix", "true", { "s3:prefix": "a" }));
        });

        it("applies IfExists, ForAnyValue and ForAllValues to absent and multivalued keys, and policy variables", () => {
            assert.ok(holds("StringLikeIfExists", "s3:prefix", "orders/*", {}));
            assert.ok(!holds("StringLikeIfExists", "s3:prefix", "orders/*", { "s3:prefix": "x/" }));
            assert.ok(holds("ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"], {}), "ForAllValues holds for an absent key");
            assert.ok(holds("ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"], { "aws:TagKeys": ["a", "b"] }) && !holds("ForAllValues:StringEquals", "aws:TagKeys", ["a"], { "aws:TagKeys": ["a", "c"] }));
            assert.ok(!holds("ForAnyValue:StringEquals", "aws:TagKeys", ["a"], {}) && holds("ForAnyValue:StringEquals", "aws:TagKeys", ["a"], { "aws:TagKeys": ["c", "a"] }));
            assert.ok(holds("StringEquals", "redshift-data:statement-owner-iam-userid", "${aws:userid}", { "redshift-data:statement-owner-iam-userid": caller.userId }));
            assert.ok(!holds("StringEquals", "redshift-data:statement-owner-iam-userid", "${aws:userid}", { "redshift-data:statement-owner-iam-userid": "AROAOTHER:x" }));
            assert.ok(entryHolds({ operator: "StringLike", base: "StringLike", ifExists: false, key: "s3:prefix", values: ["a${*}"] }, { "s3:prefix": "a*" }, caller));
        });
    });

    it("every granted action of a simulated role that no recorded request uses is removed or has its reason listed", async () => {
        const unexplained: string[] = [];
        for (const stack of ["dev", "prod"] as const) {
            const policies = stackPolicies(await stackRun(stack));
            const simulated = simulate(recorded, policies);
            const roles = [...new Map(recorded.map((c) => [`${c.component} ${c.dataset}`, { component: c.component, dataset: c.dataset }])).values()];
            for (const [key, where] of unusedGrants(simulated, policies, roles)) {
                const action = key.split(" ")[1]!;
                if (!unusedButNeeded[action]) unexplained.push(`${stack} ${key} (${where})`);
            }
        }
        assert.deepStrictEqual(unexplained, []);
    });
});
