import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { createMemoryObjectStore } from "../../../runtime/common";
import { createApiConnectorHandlerWith, createMemoryCheckpointStore } from "../../../runtime/connectors/api";
import { changeSeq, renderDmsCsv } from "../../../runtime/cdc/dms";
import { createCdcLandingHandler } from "../../../runtime/cdc/handler";
import { customers, fxRates } from "../../../runtime/datasets";
import { createIngestHandler } from "../../../runtime/ingest/handler";
import { createQualityHandler } from "../../../runtime/quality/handler";
import { createFileIngestHandler } from "../../../runtime/files/handler";
import { createMemoryFileStore } from "../../../runtime/files/store";
import { functionEnvironment } from "../../helpers/deployed";
import { kinesisEvent, mskEvent, validOrder } from "../../helpers/ingest/events";
import { captureOutput, emfDocuments, emfDirective } from "../../helpers/output";
import { ofType, stackRun } from "../../helpers/stacks";
import { OfflineRun, RecordedResource } from "../../../tools/offline/program";

/**
 * The alarms on the platform's own metrics (namespaces `DataPlatform/*`) must watch metrics the
 * runtime really publishes: CloudWatch matches an alarm's namespace, metric name and its full
 * dimension set exactly, so a renamed metric or one extra dimension leaves the alarm without data,
 * silently. The runtime side is not read from constants: the deployed factories are built from the
 * functions' recorded environments, invoked, and their EMF output is parsed.
 */

type MetricKey = string;

function key(namespace: string, metricName: string, dimensions: Readonly<Record<string, unknown>>): MetricKey {
    const dims = Object.entries(dimensions)
        .map(([name, value]) => `${name}=${String(value)}`)
        .sort();
    return `${namespace} | ${metricName} | {${dims.join(", ")}}`;
}

/** Every metric an alarm of the stack reads in a `DataPlatform/` namespace, single or in a metric query. */
function alarmedMetrics(run: OfflineRun): MetricKey[] {
    const keys: MetricKey[] = [];
    for (const alarm of ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
        const inputs = alarm.inputs as { namespace?: string; metricName?: string; dimensions?: Record<string, unknown>; metricQueries?: { metric?: { namespace: string; metricName: string; dimensions?: Record<string, unknown> } }[] };
        const refs = [
            ...(inputs.namespace && inputs.metricName ? [{ namespace: inputs.namespace, metricName: inputs.metricName, dimensions: inputs.dimensions ?? {} }] : []),
            ...(inputs.metricQueries ?? []).flatMap((query) => (query.metric ? [query.metric] : [])),
        ];
        keys.push(...refs.filter((ref) => ref.namespace.startsWith("DataPlatform/")).map((ref) => key(ref.namespace, ref.metricName, ref.dimensions ?? {})));
    }
    return keys;
}

/** Every (namespace, metric, dimension set) the EMF documents publish. */
function publishedMetrics(lines: readonly Record<string, unknown>[]): Set<MetricKey> {
    const keys = new Set<MetricKey>();
    for (const document of emfDocuments(lines)) {
        const directive = emfDirective(document);
        for (const dimensionSet of directive.Dimensions) {
            const dimensions = Object.fromEntries(dimensionSet.map((name) => [name, document[name]]));
            for (const metric of directive.Metrics) {
                keys.add(key(directive.Namespace, metric.Name, dimensions));
            }
        }
    }
    return keys;
}

function deployed(run: OfflineRun, name: string): RecordedResource {
    const fn = ofType(run, "aws:lambda/function:Function").find((candidate) => candidate.name === name);
    assert.ok(fn, `no function ${name} in the stack`);
    return fn;
}

async function ingestOutput(run: OfflineRun): Promise<Record<string, unknown>[]> {
    const env = functionEnvironment(deployed(run, "ingest-orders"));
    const kinesis = ofType(run, "aws:kinesis/stream:Stream").length > 0;
    const records = [validOrder(), "not json"];
    const { lines } = await captureOutput(async () => {
        if (kinesis) {
            await createIngestHandler({ engine: "kinesis", env, store: createMemoryObjectStore() })(kinesisEvent(records.map((value, i) => ({ sequenceNumber: String(100 + i), value }))));
        } else {
            await createIngestHandler({ engine: "kafka", env, store: createMemoryObjectStore() })(mskEvent(records.map((value, offset) => ({ offset, value }))));
        }
    });
    return lines;
}

async function qualityOutput(run: OfflineRun): Promise<Record<string, unknown>[]> {
    const env = functionEnvironment(deployed(run, "orchestration-quality"));
    const orders = fs.readFileSync(path.join(__dirname, "..", "quality", "fixtures", "orders-run-summary.json"), "utf8");
    // The fx_rates run: the orders run's counts with one metric per fx_rates check.
    const fx = JSON.parse(orders) as Record<string, unknown>;
    fx.dataset = "fx_rates";
    fx.referenceUnmatched = {};
    fx.qualityMetrics = Object.fromEntries(
        fxRates.quality.map((check) => [
            check.name,
            check.kind === "rowCount" ? { kind: check.kind, total: 8 } : check.kind === "uniqueness" ? { kind: check.kind, total: 8, uniqueRows: 8 } : check.kind === "range" ? { kind: check.kind, total: 8, inRange: 8 } : check.kind === "freshness" ? { kind: check.kind, latest: "2024-05-01T23:00:00.000Z" } : { kind: check.kind, total: 8, nonNull: 8 },
        ]),
    );
    // customers (change data capture): the same counts with one metric per customers check.
    const captured = { ...fx, dataset: "customers", qualityMetrics: Object.fromEntries(customers.quality.map((check) => [check.name, check.kind === "uniqueness" ? { kind: check.kind, total: 8, uniqueRows: 8 } : { kind: check.kind, total: 8, nonNull: 8 }])) };
    const lines: Record<string, unknown>[] = [];
    // store_inventory: the orders run summary, renamed, makes the handler publish its metrics.
    const inventory = orders.replace('"dataset": "orders"', '"dataset": "store_inventory"');
    for (const [dataset, summary] of [["orders", orders], ["fx_rates", JSON.stringify(fx)], ["store_inventory", inventory], ["customers", JSON.stringify(captured)]] as const) {
        const s3 = { send: async () => ({ Body: { transformToString: async () => summary } }) } as never;
        const output = await captureOutput(() => createQualityHandler({ env, s3 })({ dataset, source: "sparkRun", summaryUri: `s3://curated/_runs/${dataset}/run.json`, failOnError: false }));
        lines.push(...output.lines);
    }
    return lines;
}

/** A connector run in memory, with the deployed function's settings, against a stand-in API with no records. */
async function connectorOutput(run: OfflineRun): Promise<Record<string, unknown>[]> {
    const env = functionEnvironment(deployed(run, "connectors-fx-rates"));
    const fetchFn = async () => new Response(JSON.stringify({ data: [], next_cursor: null }), { status: 200 });
    const { lines } = await captureOutput(() =>
        createApiConnectorHandlerWith({ env, fetch: fetchFn, store: createMemoryObjectStore(), checkpoints: createMemoryCheckpointStore(), readSecret: async () => JSON.stringify({ apiKey: "k" }) })({}, undefined),
    );
    return lines;
}

/** A file drop processed in memory, with the deployed function's settings: one valid row, one rejected. */
async function fileDropOutput(run: OfflineRun): Promise<Record<string, unknown>[]> {
    const env = functionEnvironment(deployed(run, "files-store_inventory"));
    const csv = "store_id,sku,on_hand,as_of\nS0001,SKU-1,1,2026-12-01T00:00:00Z\nS0002,SKU-2,-1,2026-12-01T00:00:00Z\n";
    const files = createMemoryFileStore(new Map([["landing/incoming/store_inventory/a.csv#v1", { body: new Uint8Array(Buffer.from(csv)), lastModifiedMs: Date.UTC(2026, 11, 1) }]]));
    const event = { "detail-type": "Object Created", source: "aws.s3", detail: { bucket: { name: "landing" }, object: { key: "incoming/store_inventory/a.csv", "version-id": "v1" } } };
    const { lines } = await captureOutput(() => createFileIngestHandler({ env, store: createMemoryObjectStore(), files, submit: async () => "job" })(event));
    return lines;
}

/** A DMS change file landed in memory, with the deployed landing function's settings: one valid row, one rejected. */
async function cdcLandingOutput(run: OfflineRun): Promise<Record<string, unknown>[]> {
    const env = functionEnvironment(deployed(run, "databases-landing"));
    const store = createMemoryObjectStore();
    const values = { id: "CUST-00000001", name: "Ann", email: "a@example.com", country: "IE", segment: "consumer", created_at: "2026-12-06 00:00:00.000000", updated_at: "2026-12-06 01:00:00.000000" };
    const rows = [
        { op: "I" as const, commitTimestamp: "2026-12-06 01:02:03.000000", changeSeq: changeSeq(1n, 1), values },
        { op: "U" as const, commitTimestamp: "2026-12-06 01:02:03.000000", changeSeq: changeSeq(1n, 2), values: { ...values, segment: "vip" } },
    ];
    const key = "_dms/public/customers/20261206-010203000.csv";
    await store.putObject({ bucket: env.RAW_BUCKET as string, key, body: Buffer.from(renderDmsCsv(Object.keys(values), rows)) });
    const event = { "detail-type": "Object Created", source: "aws.s3", detail: { bucket: { name: env.RAW_BUCKET }, object: { key } } };
    const { lines } = await captureOutput(() => createCdcLandingHandler({ env, store })(event));
    return lines;
}

describe("the alarms watch metrics the runtime publishes", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`in ${stack}, every DataPlatform alarm's namespace, metric name and dimensions are published by the deployed ingest, connector, file-ingest, change-file landing or quality function`, async () => {
            const run = await stackRun(stack);
            const alarmed = alarmedMetrics(run);
            assert.ok(alarmed.some((k) => k.startsWith("DataPlatform/Ingest")) && alarmed.some((k) => k.startsWith("DataPlatform/Quality")), `expected ingest and quality alarms, found ${alarmed.join("; ")}`);
            const published = publishedMetrics([...(await ingestOutput(run)), ...(await qualityOutput(run)), ...(await connectorOutput(run)), ...(await fileDropOutput(run)), ...(await cdcLandingOutput(run))]);
            const missing = alarmed.filter((k) => !published.has(k));
            assert.deepStrictEqual(missing, [], `alarmed but not published:\n${missing.join("\n")}\npublished:\n${[...published].sort().join("\n")}`);
        });
    }

    it("tells a metric published with one more dimension apart from the alarmed one (the check itself)", () => {
        const published = publishedMetrics([{ _aws: { CloudWatchMetrics: [{ Namespace: "DataPlatform/Quality", Dimensions: [["service", "Dataset"]], Metrics: [{ Name: "ErrorFailures", Unit: "Count" }] }] }, service: "quality", Dataset: "orders", ErrorFailures: 1 }]);
        assert.strictEqual(published.has(key("DataPlatform/Quality", "ErrorFailures", { Dataset: "orders" })), false);
        assert.strictEqual(published.has(key("DataPlatform/Quality", "ErrorFailures", { service: "quality", Dataset: "orders" })), true);
    });
});
