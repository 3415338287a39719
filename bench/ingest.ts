/**
 * Ingest throughput benchmark. Prints one JSON line comparing, on the same MSK batches:
 *   (a) floor: base64 decode + JSON.parse + gzip in memory, no validation, no storage;
 *   (b) the ingest handler writing to the in-memory object store;
 *   (b') the same with the production telemetry (Powertools Logger and Metrics; its lines are
 *        counted and discarded instead of printed), to show what logging and EMF cost per batch;
 *   (c) the ingest handler writing to S3 (moto);
 *   (d) a naive handler writing one S3 object per record (moto);
 * with S3 requests per 10,000 records for (c) and (d), and whether the targets hold:
 * (b) ≥ 0.7 × (a), (b') ≥ 0.9 × (b), requests of (c) ≤ 1 % of (d), (c) ≥ 20 × (d).
 * (a), (b) and (b') run interleaved round by round; their ratios are the median over rounds of the
 * ratio within a round, and their rates the median pass, so machine load affects both sides alike.
 *
 * Needs moto (tools/services/moto.sh start, or npm run local); its port comes from MOTO_PORT
 * (runtime/local/settings.ts).
 * Batches default to 5,000 records (a high-throughput event source mapping setting that stays under
 * Lambda's 6 MB payload) from two partitions, 5 % of them defective.
 * Usage: npm run bench:ingest [-- --batches 8 --batch-size 5000 --bad-ratio 0.05 --rounds 5 --naive-records 1000]
 */
import * as os from "os";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createMemoryObjectStore, createS3ObjectStore, gzipDeterministic, ObjectStore } from "../runtime/common";
import { createIngestHandler, createPowertoolsTelemetry, IngestTelemetry, MskEvent, MskRecord } from "../runtime/ingest";
import { createOrderGenerator } from "../runtime/producers";
import { readLocalSettings, requireService, ServiceUnreachableError } from "../runtime/local/settings";
import { FlagError, flagsOrExit, parseFlags } from "../tools/offline/flags";

const motoEndpoint = readLocalSettings().motoEndpoint;
const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };

const usage = "npm run bench:ingest -- [--batches N] [--batch-size N] [--bad-ratio R] [--naive-records N] [--rounds N]";

/** The flags, or a one-line error naming the flag, what was expected and what was found. */
function readFlags(): { batches: number; batchSize: number; badRatio: number; naiveRecords: number; rounds: number } {
    const flags = parseFlags(process.argv.slice(2), { "batches": "number", "batch-size": "number", "bad-ratio": "number", "naive-records": "number", "rounds": "number" }, usage);
    const badRatio = flags.number("bad-ratio") ?? 0.05;
    if (!(badRatio >= 0 && badRatio <= 1)) {
        throw new FlagError(`--bad-ratio: expected a share between 0 and 1, such as 0.05; found ${badRatio}. Usage: ${usage}`);
    }
    return { batches: flags.count("batches", 8), batchSize: flags.count("batch-size", 5000), badRatio, naiveRecords: flags.count("naive-records", 1000), rounds: flags.count("rounds", 5) };
}

const { batches, batchSize, badRatio, naiveRecords, rounds } = flagsOrExit("bench:ingest", readFlags);

function makeBatches(): MskEvent[] {
    const now = Date.now();
    const generator = createOrderGenerator({ seed: 42, badRatio, startTimeMs: now - batches * batchSize * 100 - 60_000, intervalMs: 100 });
    const events: MskEvent[] = [];
    let offset = 0;
    for (let b = 0; b < batches; b += 1) {
        const records: Record<string, MskRecord[]> = {};
        for (const message of generator.take(batchSize)) {
            const partition = offset % 2;
            (records[`orders-${partition}`] ??= []).push({
                topic: "orders",
                partition,
                offset: offset++,
                timestamp: now,
                timestampType: "CREATE_TIME",
                key: Buffer.from(message.key ?? "").toString("base64"),
                value: message.value.toString("base64"),
                headers: [],
            });
        }
        events.push({ eventSource: "aws:kafka", records });
    }
    return events;
}

const silent: IngestTelemetry = { setContext: () => undefined, batchProcessed: () => undefined, batchErrored: () => undefined };

/** Bytes of telemetry written by the Powertools contender (stdout and stderr, discarded). */
let telemetryBytes = 0;
let telemetryBatches = 0;

/** Runs `action` with stdout and stderr counted and discarded, so the bench still prints one line. */
async function discardingOutput<T>(action: () => Promise<T>): Promise<T> {
    const streams = [process.stdout, process.stderr];
    const originals = streams.map((stream) => stream.write.bind(stream));
    for (const stream of streams) {
        stream.write = ((chunk: string | Uint8Array) => {
            telemetryBytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
            return true;
        }) as typeof stream.write;
    }
    try {
        return await action();
    } finally {
        streams.forEach((stream, index) => {
            stream.write = originals[index] as typeof stream.write;
        });
    }
}

function counting(store: ObjectStore): ObjectStore & { readonly count: () => number } {
    let requests = 0;
    return {
        count: () => requests,
        putObject: (input) => ((requests += 1), store.putObject(input)),
        headObject: (bucket, key) => ((requests += 1), store.headObject(bucket, key)),
        getObject: (bucket, key) => ((requests += 1), store.getObject(bucket, key)),
        listKeys: (bucket, prefix) => ((requests += 1), store.listKeys(bucket, prefix)),
    };
}

/** Seconds for one pass over every batch with a fresh `run`. */
async function pass(events: readonly MskEvent[], makeRun: () => (event: MskEvent) => Promise<unknown>): Promise<number> {
    const run = makeRun();
    const started = process.hrtime.bigint();
    for (const event of events) {
        await run(event);
    }
    return Number(process.hrtime.bigint() - started) / 1e9;
}

interface Rounds {
    /** Seconds of each contender's pass, round by round (after one warm-up pass each). */
    readonly seconds: number[][];
}

/**
 * `rounds` passes per contender after one warm-up pass each, interleaved contender by contender
 * within each round, so load from other processes hits every contender of a round alike.
 */
async function interleaved(events: readonly MskEvent[], rounds: number, contenders: readonly (() => (event: MskEvent) => Promise<unknown>)[]): Promise<Rounds> {
    for (const makeRun of contenders) {
        await pass(events, makeRun);
    }
    const seconds: number[][] = [];
    for (let round = 0; round < rounds; round += 1) {
        const times: number[] = [];
        for (const makeRun of contenders) {
            times.push(await pass(events, makeRun));
        }
        seconds.push(times);
    }
    return { seconds };
}

function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The median over rounds of contender `a`'s throughput relative to contender `b`'s in the same round. */
function medianRatio(result: Rounds, a: number, b: number): number {
    return median(result.seconds.map((times) => (times[b] as number) / (times[a] as number)));
}

const recordsIn = (events: readonly MskEvent[]) => events.reduce((sum, event) => sum + Object.values(event.records).reduce((n, list) => n + list.length, 0), 0);

async function floor(event: MskEvent): Promise<void> {
    const lines: string[] = [];
    for (const list of Object.values(event.records)) {
        for (const record of list) {
            const text = Buffer.from(record.value ?? "", "base64").toString("utf8");
            try {
                JSON.parse(text);
            } catch {
                // A floor parses; what it does with bad records is not its cost.
            }
            lines.push(text);
        }
    }
    await gzipDeterministic(lines.join("\n"));
}

async function main(): Promise<void> {
    const events = makeBatches();
    const total = recordsIn(events);
    const s3 = new S3Client({ region: "us-east-1", endpoint: motoEndpoint, forcePathStyle: true, credentials });
    const stamp = Date.now().toString(36);
    const buckets = { raw: `bench-raw-${stamp}`, rejects: `bench-rej-${stamp}`, naive: `bench-naive-${stamp}`, warm: `bench-warm-${stamp}` };
    for (const bucket of Object.values(buckets)) {
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
    // Lineage on, as deployed: each batch adds one lineage object (under lineage/, apart from the dataset's keys).
    const env = { RAW_BUCKET: buckets.raw, REJECTS_BUCKET: buckets.rejects, DATASET: "orders", LINEAGE_BUCKET: buckets.rejects, LINEAGE_PREFIX: "lineage" };

    const measured = await interleaved(events, rounds, [
        () => floor,
        () => {
            const handler = createIngestHandler({ engine: "kafka", env, store: createMemoryObjectStore(), telemetry: silent });
            return (event) => handler(event);
        },
        () => {
            const telemetry = createPowertoolsTelemetry({ namespace: "Bench/Ingest", serviceName: "ingest-bench", dataset: "orders", engine: "kafka" });
            const handler = createIngestHandler({ engine: "kafka", env, store: createMemoryObjectStore(), telemetry });
            return (event) => discardingOutput(() => ((telemetryBatches += 1), handler(event, { awsRequestId: "bench", functionName: "ingest-bench" })));
        },
    ]);
    const [floorSeconds = 0, memorySeconds = 0, powertoolsSeconds = 0] = [0, 1, 2].map((i) => median(measured.seconds.map((times) => times[i] as number)));
    const handlerVsFloor = medianRatio(measured, 1, 0);
    const powertoolsVsSilent = medianRatio(measured, 2, 1);

    const motoStore = counting(createS3ObjectStore({ endpoint: motoEndpoint, region: "us-east-1", credentials }));
    const motoHandler = createIngestHandler({ engine: "kafka", env, store: motoStore, telemetry: silent });
    const warmHandler = createIngestHandler({
        engine: "kafka",
        env: { ...env, RAW_BUCKET: buckets.warm, REJECTS_BUCKET: buckets.warm },
        store: createS3ObjectStore({ endpoint: motoEndpoint, region: "us-east-1", credentials }),
        telemetry: silent,
    });
    await warmHandler(events[0] as MskEvent);
    const motoStarted = process.hrtime.bigint();
    for (const event of events) {
        await motoHandler(event);
    }
    const motoSeconds = Number(process.hrtime.bigint() - motoStarted) / 1e9;
    const ourRequests = motoStore.count();

    let naiveRequests = 0;
    const naive = async (event: MskEvent, limit: number) => {
        let done = 0;
        for (const list of Object.values(event.records)) {
            for (const record of list) {
                if (done >= limit) {
                    return done;
                }
                const body = Buffer.from(record.value ?? "", "base64");
                try {
                    JSON.parse(body.toString("utf8"));
                } catch {
                    // The naive handler stores bad records as they are.
                }
                naiveRequests += 1;
                await s3.send(new PutObjectCommand({ Bucket: buckets.naive, Key: `orders/${record.partition}/${record.offset}.json`, Body: body }));
                done += 1;
            }
        }
        return done;
    };
    let naiveDone = 0;
    const naiveStarted = process.hrtime.bigint();
    for (const event of events) {
        if (naiveDone >= naiveRecords) {
            break;
        }
        naiveDone += await naive(event, naiveRecords - naiveDone);
    }
    const naiveSeconds = Number(process.hrtime.bigint() - naiveStarted) / 1e9;

    const rate = (records: number, seconds: number) => Math.round(records / seconds);
    const floorRate = rate(total, floorSeconds);
    const memoryRate = rate(total, memorySeconds);
    const powertoolsRate = rate(total, powertoolsSeconds);
    const motoRate = rate(total, motoSeconds);
    const naiveRate = rate(naiveDone, naiveSeconds);
    const ourPer10k = Math.round((ourRequests / total) * 10_000 * 10) / 10;
    const naivePer10k = Math.round((naiveRequests / naiveDone) * 10_000);
    const round2 = (x: number) => Math.round(x * 100) / 100;
    process.stdout.write(
        `${JSON.stringify({
            bench: "ingest",
            records: total,
            batches,
            batchSize,
            badRatio,
            partitionsPerBatch: 2,
            largestEventBytes: Math.max(...events.map((event) => Buffer.byteLength(JSON.stringify(event)))),
            loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
            cpus: os.cpus().length,
            recordsPerSecond: { floor: floorRate, handlerMemory: memoryRate, handlerMemoryPowertools: powertoolsRate, handlerMoto: motoRate, naiveMoto: naiveRate },
            telemetryBytesPerBatch: Math.round(telemetryBytes / Math.max(telemetryBatches, 1)),
            naiveRecordsMeasured: naiveDone,
            s3RequestsPer10kRecords: { handler: ourPer10k, naive: naivePer10k },
            targets: {
                handlerMemoryVsFloor: { ratio: round2(handlerVsFloor), target: ">= 0.7", met: handlerVsFloor >= 0.7, measure: `median over ${rounds} interleaved rounds of floor seconds / handler seconds` },
                powertoolsVsSilentTelemetry: { ratio: round2(powertoolsVsSilent), target: ">= 0.9", met: powertoolsVsSilent >= 0.9, measure: `median over ${rounds} interleaved rounds` },
                requestsVsNaive: { ratio: Math.round((ourPer10k / naivePer10k) * 10_000) / 10_000, target: "<= 0.01", met: ourPer10k <= 0.01 * naivePer10k },
                handlerMotoVsNaive: { ratio: round2(motoRate / naiveRate), target: ">= 20", met: motoRate >= 20 * naiveRate },
            },
        })}\n`,
    );
    s3.destroy();
}

// Check the service first: one line naming it and its start command, not the client's retry noise.
requireService(readLocalSettings(), "moto")
    .then(main)
    .catch((error: unknown) => {
        if (error instanceof ServiceUnreachableError) {
            process.stderr.write(`bench:ingest: ${error.message}\n`);
            process.exit(1);
        }
        process.stderr.write(`bench:ingest failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    });
