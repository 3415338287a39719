import * as assert from "assert";
import { AuthzRequest, Caller, Context, evaluate, NamedPolicy } from "../../helpers/iam/evaluate";
import { stackPolicies } from "../../helpers/iam/simulate";
import { firehoseDeliveryVariant, json, one, variantRun } from "../../helpers/stacks";

/**
 * The requests Firehose makes with the delivery role (by its documentation for a Kinesis source,
 * an S3 destination with SSE-KMS, a Lambda processor and error logging), simulated against the
 * role's policy, the raw bucket's policy and the keys' policies as the dev firehose variant
 * declares them. The transformation function itself makes no AWS request (its closure test runs
 * it with no reachable endpoint), so it has none to simulate.
 */
describe("the Firehose delivery role, simulated against the requests Firehose makes with it", function () {
    this.timeout(300_000);

    async function setting() {
        const run = await variantRun(firehoseDeliveryVariant);
        const stack = stackPolicies(run);
        const role = one(run, "aws:iam/role:Role", "firehose-orders-delivery-role");
        const caller: Caller = { roleArn: String(role.state.arn), account: "123456789012", userId: "AROAFIREHOSE:firehose" };
        const identity: NamedPolicy[] = [{ name: "firehose-orders-delivery-role", document: json(one(run, "aws:iam/rolePolicy:RolePolicy", "firehose-orders-delivery-role"), "policy") }];
        const raw = one(run, "aws:s3/bucket:Bucket", "lake-raw");
        const rawName = String(raw.state.bucket);
        const streamArn = String(one(run, "aws:kinesis/stream:Stream", "streaming-orders").state.arn);
        const keyArn = (name: string) => String(one(run, "aws:kms/key:Key", name).state.arn);
        const fnArn = String(one(run, "aws:lambda/function:Function", "firehose-orders-transform").state.arn);
        const logGroup = one(run, "aws:cloudwatch/logGroup:LogGroup", "firehose-orders-delivery-logs");
        return { stack, caller, identity, rawName, streamArn, lakeKey: keyArn("keys-lake"), streamingKey: keyArn("keys-streaming"), fnArn, logGroupArn: String(logGroup.state.arn) };
    }

    const tls: Context = { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" };
    const request = (action: string, resource: string, context: Context = {}): AuthzRequest => ({ action, resource, context });

    it("allows every request of a delivery: read the stream, decrypt it, write both prefixes under the lake key, invoke the function, log errors", async () => {
        const s = await setting();
        const bucketArn = `arn:aws:s3:::${s.rawName}`;
        const cases: [AuthzRequest, NamedPolicy | undefined, "resource" | "keyPolicy" | undefined][] = [
            [request("kinesis:DescribeStream", s.streamArn), undefined, undefined],
            [request("kinesis:GetShardIterator", s.streamArn), undefined, undefined],
            [request("kinesis:GetRecords", s.streamArn), undefined, undefined],
            [request("kinesis:ListShards", s.streamArn), undefined, undefined],
            [request("kms:Decrypt", s.streamingKey, { "kms:ViaService": "kinesis.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:kinesis:arn": s.streamArn }), s.stack.keyPolicy(s.streamingKey), "keyPolicy"],
            [request("s3:GetBucketLocation", bucketArn, tls), s.stack.bucketPolicy(s.rawName), "resource"],
            [request("s3:ListBucketMultipartUploads", bucketArn, tls), s.stack.bucketPolicy(s.rawName), "resource"],
            [request("s3:PutObject", `${bucketArn}/orders/dt=2024-05-01/hour=10/platform-dev-deliver-orders-1-2024-05-01-10-16-00-uuid.ndjson.gz`, tls), s.stack.bucketPolicy(s.rawName), "resource"],
            [request("s3:PutObject", `${bucketArn}/_firehose_errors/orders/error_type=processing-failed/dt=2024-05-01/hour=10/x.ndjson.gz`, tls), s.stack.bucketPolicy(s.rawName), "resource"],
            [request("s3:AbortMultipartUpload", `${bucketArn}/orders/dt=2024-05-01/hour=10/x.ndjson.gz`, tls), s.stack.bucketPolicy(s.rawName), "resource"],
            [request("kms:GenerateDataKey", s.lakeKey, { "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": bucketArn }), s.stack.keyPolicy(s.lakeKey), "keyPolicy"],
            [request("lambda:InvokeFunction", `${s.fnArn}:$LATEST`), undefined, undefined],
            [request("lambda:GetFunctionConfiguration", `${s.fnArn}:$LATEST`), undefined, undefined],
            [request("logs:PutLogEvents", `${s.logGroupArn}:log-stream:DestinationDelivery`), undefined, undefined],
        ];
        const denied = cases
            .map(([r, policy, kind]) => ({ r, d: evaluate(r, s.caller, { identity: s.identity, ...(kind && policy ? { [kind]: policy } : {}) }) }))
            .filter(({ d }) => d.decision !== "allowed")
            .map(({ r, d }) => `${r.action} ${r.resource}: ${d.reason}`);
        assert.deepStrictEqual(denied, []);
    });

    it("denies what a delivery never needs: another dataset's prefix, deletes, the lake key outside S3, another function", async () => {
        const s = await setting();
        const bucketArn = `arn:aws:s3:::${s.rawName}`;
        const decisions = [
            request("s3:PutObject", `${bucketArn}/customers/dt=2024-05-01/hour=10/x.ndjson.gz`, tls),
            request("s3:DeleteObject", `${bucketArn}/orders/dt=2024-05-01/hour=10/x.ndjson.gz`, tls),
            request("kms:Decrypt", s.lakeKey, { "kms:ViaService": "glue.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": bucketArn }),
            request("lambda:InvokeFunction", s.fnArn.replace("firehose-transform-orders", "ingest-orders")),
            request("kinesis:PutRecord", s.streamArn),
        ].map((r) => evaluate(r, s.caller, { identity: s.identity }).decision);
        assert.deepStrictEqual(decisions, ["implicitDeny", "implicitDeny", "implicitDeny", "implicitDeny", "implicitDeny"]);
    });

    it("is refused by the raw bucket's policy without TLS", async () => {
        const s = await setting();
        const d = evaluate(request("s3:PutObject", `arn:aws:s3:::${s.rawName}/orders/dt=2024-05-01/hour=10/x.ndjson.gz`, { "aws:SecureTransport": "false" }), s.caller, { identity: s.identity, resource: s.stack.bucketPolicy(s.rawName)! });
        assert.strictEqual(d.decision, "explicitDeny");
    });
});
