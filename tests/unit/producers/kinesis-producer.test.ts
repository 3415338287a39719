import * as assert from "assert";
import { backoffDelayMs, createKinesisProducer, ensureKinesisStream, KinesisStreamNotFoundError, kinesisLimits, partitionKeyOf, PutRecordsCall, PutRecordsEntry, splitIntoPutRecordsBatches } from "../../../runtime/producers/kinesis";

const entry = (size: number, key = "k"): PutRecordsEntry => ({ partitionKey: key, data: Buffer.alloc(size - Buffer.byteLength(key)) });

describe("the Kinesis producer", () => {
    it("splits entries into requests of at most 500 records", () => {
        const batches = splitIntoPutRecordsBatches(Array.from({ length: 1201 }, () => entry(10)));
        assert.deepStrictEqual(
            batches.map((b) => b.length),
            [500, 500, 201],
        );
    });

    it("splits entries so no request exceeds 5 MiB, counting partition keys, and keeps their order", () => {
        const big = Array.from({ length: 12 }, (_, i) => entry(1024 * 1024, `key-${i}`));
        const batches = splitIntoPutRecordsBatches(big);
        assert.deepStrictEqual(
            batches.map((b) => b.length),
            [5, 5, 2],
        );
        assert.ok(batches.every((b) => b.reduce((sum, e) => sum + e.data.byteLength + e.partitionKey.length, 0) <= kinesisLimits.maxBytesPerRequest));
        assert.deepStrictEqual(batches.flat().map((e) => e.partitionKey), big.map((e) => e.partitionKey));
    });

    it("refuses a record over 1 MiB with its size in the message", () => {
        assert.throws(() => splitIntoPutRecordsBatches([entry(10), entry(1024 * 1024 + 1)]), /message 1 is 1048577 bytes with its partition key, over the Kinesis limit of 1048576 bytes/);
    });

    it("resends only the failed entries, with growing backoff, until all succeed", async () => {
        const calls: string[][] = [];
        const sleeps: number[] = [];
        let round = 0;
        const putRecords: PutRecordsCall = async ({ entries }) => {
            calls.push(entries.map((e) => e.data.toString()));
            round += 1;
            return entries.map((e) => (round === 1 && e.data.toString() !== "b" ? { errorCode: "ProvisionedThroughputExceededException" } : round === 2 && e.data.toString() === "c" ? { errorCode: "InternalFailure" } : {}));
        };
        const producer = createKinesisProducer({ streamName: "orders", putRecords, sleep: async (ms) => void sleeps.push(ms), random: () => 0.999, baseDelayMs: 100 });
        const report = await producer.send(["a", "b", "c"].map((v) => ({ key: v, value: Buffer.from(v) })));
        assert.deepStrictEqual(calls, [["a", "b", "c"], ["a", "c"], ["c"]]);
        assert.deepStrictEqual(report, { sent: 3, requests: 3, retried: 3 });
        assert.deepStrictEqual(sleeps, [99, 199]);
    });

    it("gives up after maxAttempts naming the stream and the error codes", async () => {
        const putRecords: PutRecordsCall = async ({ entries }) => entries.map(() => ({ errorCode: "ProvisionedThroughputExceededException" }));
        const producer = createKinesisProducer({ streamName: "orders", putRecords, sleep: async () => undefined, maxAttempts: 3 });
        await assert.rejects(producer.send([{ key: "a", value: Buffer.from("a") }]), /PutRecords to stream 'orders' did not succeed after 3 attempts: 1 records failed \(ProvisionedThroughputExceededException\)/);
    });

    it("retries a request that failed as a whole", async () => {
        let calls = 0;
        const putRecords: PutRecordsCall = async ({ entries }) => {
            calls += 1;
            if (calls === 1) {
                throw new Error("socket hang up");
            }
            return entries.map(() => ({}));
        };
        const producer = createKinesisProducer({ streamName: "orders", putRecords, sleep: async () => undefined });
        assert.deepStrictEqual(await producer.send([{ key: "a", value: Buffer.from("a") }]), { sent: 1, requests: 2, retried: 1 });
    });

    it("caps the backoff and derives a partition key from the value when a message has no key", () => {
        assert.strictEqual(backoffDelayMs(10, 100, 5000, () => 0.5), 2500);
        assert.strictEqual(partitionKeyOf({ key: null, value: Buffer.from("x") }), partitionKeyOf({ key: null, value: Buffer.from("x") }));
        assert.strictEqual(partitionKeyOf({ key: null, value: Buffer.from("x") }).length, 32);
        assert.throws(() => createKinesisProducer({ streamName: "bad name" }), /stream name must be/);
    });
});

describe("the Kinesis producer on errors no retry can fix", () => {
    it("fails on the first ResourceNotFoundException, naming the stream and how to create it", async () => {
        let calls = 0;
        const producer = createKinesisProducer({
            streamName: "orders",
            putRecords: async () => {
                calls += 1;
                throw Object.assign(new Error("Stream orders under account 123456789012 not found."), { name: "ResourceNotFoundException" });
            },
            sleep: async () => undefined,
        });
        await assert.rejects(producer.send([{ key: "a", value: Buffer.from("{}") }]), /PutRecords to stream 'orders' failed with ResourceNotFoundException: .*not found\.; create the stream first .*--create-stream <shards>/);
        assert.strictEqual(calls, 1);
    });

    it("fails on the first credentials error with what to set", async () => {
        let calls = 0;
        const producer = createKinesisProducer({
            streamName: "orders",
            putRecords: async () => {
                calls += 1;
                throw Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
            },
            sleep: async () => undefined,
        });
        await assert.rejects(producer.send([{ key: "a", value: Buffer.from("{}") }]), /provide AWS credentials \(AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\)/);
        assert.strictEqual(calls, 1);
    });

    it("still retries a request that failed for a transient reason", async () => {
        let calls = 0;
        const producer = createKinesisProducer({
            streamName: "orders",
            putRecords: async ({ entries }) => {
                calls += 1;
                if (calls === 1) {
                    throw Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
                }
                return entries.map(() => ({}));
            },
            sleep: async () => undefined,
        });
        assert.deepStrictEqual(await producer.send([{ key: "a", value: Buffer.from("{}") }]), { sent: 1, requests: 2, retried: 1 });
    });
});

describe("ensureKinesisStream", () => {
    /** A stand-in for Kinesis whose stream goes CREATING → ACTIVE after `creatingPolls` looks. */
    function fakeAdmin(initial: string | undefined, creatingPolls = 2) {
        let status = initial;
        let polls = 0;
        const created: { name: string; shards: number }[] = [];
        return {
            created,
            admin: {
                status: async () => {
                    if (status === "CREATING" && polls++ >= creatingPolls) {
                        status = "ACTIVE";
                    }
                    return status;
                },
                create: async (name: string, shards: number) => {
                    created.push({ name, shards });
                    status = "CREATING";
                },
            },
        };
    }
    const sleep = async () => undefined;

    it("leaves an ACTIVE stream alone", async () => {
        const fake = fakeAdmin("ACTIVE");
        assert.strictEqual(await ensureKinesisStream({ streamName: "orders", endpoint: "http://127.0.0.1:5055", admin: fake.admin, sleep }), "exists");
        assert.deepStrictEqual(fake.created, []);
    });

    it("refuses a missing stream without createShards, naming the endpoint and --create-stream", async () => {
        await assert.rejects(
            ensureKinesisStream({ streamName: "orders", endpoint: "http://127.0.0.1:5055", admin: fakeAdmin(undefined).admin, sleep }),
            (error: unknown) =>
                error instanceof KinesisStreamNotFoundError &&
                error.message === "Kinesis stream 'orders' does not exist at http://127.0.0.1:5055; pass --create-stream <shards> (for example --create-stream 2) to create it",
        );
    });

    it("points at the stack, not --create-stream, for a stream missing on AWS", async () => {
        await assert.rejects(ensureKinesisStream({ streamName: "orders", region: "eu-west-1", admin: fakeAdmin(undefined).admin, sleep }), /does not exist in eu-west-1; deploy the stack that owns it \(pulumi up\)/);
    });

    it("creates a missing stream with the shards asked for and waits until it is ACTIVE", async () => {
        const fake = fakeAdmin(undefined, 3);
        assert.strictEqual(await ensureKinesisStream({ streamName: "orders", endpoint: "http://127.0.0.1:5055", createShards: 2, admin: fake.admin, sleep }), "created");
        assert.deepStrictEqual(fake.created, [{ name: "orders", shards: 2 }]);
        assert.strictEqual(await fake.admin.status(), "ACTIVE");
    });

    it("gives up on a stream that is being deleted", async () => {
        await assert.rejects(ensureKinesisStream({ streamName: "orders", endpoint: "http://127.0.0.1:5055", admin: fakeAdmin("DELETING").admin, sleep }), /is DELETING, expected ACTIVE/);
    });
});
