import * as assert from "assert";
import * as path from "path";
import { datasetNames, RunEvent } from "../../../runtime/lineage";
import { buildRunEvent, deterministicRunId } from "../../../runtime/lineage/builder";
import { downstreamOf, lineageConnectivity, lineageGraph, sourceKind, stoodInDataset } from "../../../runtime/local/lineage";

const ns = "etl-platform-local";
const topic = datasetNames.kafka("127.0.0.1:9092", "orders-msk");
const stream = datasetNames.kinesis("us-east-1", "123456789012", "orders-kinesis");
const raw = datasetNames.s3("etl-local-raw", "orders");
const curated = datasetNames.s3("etl-local-curated", "orders");
const table = datasetNames.redshift("local-postgres", "us-east-1", "etl_test", "local", "orders", 55432);
const api = datasetNames.http("http://127.0.0.1:4567/v1/rates");

function event(job: string, inputs: RunEvent["inputs"], outputs: RunEvent["outputs"]): RunEvent {
    return buildRunEvent({ eventType: "COMPLETE", runId: deterministicRunId(job), job: { namespace: ns, name: job }, inputs, outputs });
}

describe("local lineage graph (runtime/local/lineage.ts)", () => {
    const events = [event("ingest.orders", [topic], [raw]), event("ingest.orders", [stream], [raw]), event("transform.orders", [raw], [curated]), event("warehouse-load.orders", [curated], [table])];

    it("folds every run of a job into one node, with an edge per input and per output", () => {
        const graph = lineageGraph(events);
        assert.deepStrictEqual(graph.jobs, [`${ns}/ingest.orders`, `${ns}/transform.orders`, `${ns}/warehouse-load.orders`]);
        assert.strictEqual(graph.events, 4);
        assert.strictEqual(graph.edges.length, 7);
        assert.ok(graph.edges.some((edge) => edge.from === "kafka://127.0.0.1:9092/orders-msk" && edge.to === `${ns}/ingest.orders`));
    });

    it("reaches the warehouse table from the topic and the stream", () => {
        const graph = lineageGraph(events);
        const connectivity = lineageConnectivity(graph, "etl-local-landing");
        assert.deepStrictEqual(
            connectivity.sources.map((source) => [source.kind, source.reaches]),
            [
                ["kinesis", ["redshift://local-postgres.us-east-1:55432/etl_test.local.orders"]],
                ["kafka", ["redshift://local-postgres.us-east-1:55432/etl_test.local.orders"]],
            ],
        );
        assert.deepStrictEqual([connectivity.unreachedTables, connectivity.strandedSources], [[], []]);
    });

    it("finds a broken link: without the transform's event the sources reach no table", () => {
        const graph = lineageGraph(events.filter((candidate) => candidate.job.name !== "transform.orders"));
        const connectivity = lineageConnectivity(graph, "etl-local-landing");
        assert.deepStrictEqual(connectivity.unreachedTables, ["redshift://local-postgres.us-east-1:55432/etl_test.local.orders"]);
        assert.strictEqual(connectivity.strandedSources.length, 2);
        assert.ok(!downstreamOf(graph, "kafka://127.0.0.1:9092/orders-msk").has("s3://etl-local-curated/orders"));
    });

    it("tells the kinds of source apart by namespace", () => {
        assert.deepStrictEqual(
            ["kafka://h:1/t", "arn:aws:kinesis:us-east-1:1:stream/s", "http://127.0.0.1:4567/v1/rates", "s3://etl-local-landing/incoming/x.csv", "postgres://h:5432/shop.public.customers", "s3://etl-local-raw/orders", "redshift://w.r:5439/d.s.t"].map((node) =>
                sourceKind(node, "etl-local-landing"),
            ),
            ["kafka", "kinesis", "api", "file", "database", undefined, undefined],
        );
        assert.strictEqual(sourceKind(`${api.namespace}/${api.name.replace(/^\//, "")}`, "x"), "api");
    });

    it("names the local Spark directories as the S3 locations they stand for, and leaves other datasets alone", () => {
        const locations = [
            { directory: "/run/lake/raw", uri: "s3://etl-local-raw" },
            { directory: "/run/lake/reference", uri: "s3://etl-local-artifacts/reference" },
        ];
        assert.deepStrictEqual(stoodInDataset({ namespace: "file", name: path.join("/run/lake/raw", "orders") }, locations), { namespace: "s3://etl-local-raw", name: "orders" });
        assert.deepStrictEqual(stoodInDataset({ namespace: "file", name: "/run/lake/reference/customers_ref" }, locations), { namespace: "s3://etl-local-artifacts", name: "reference/customers_ref" });
        assert.deepStrictEqual(stoodInDataset({ namespace: "file", name: "/elsewhere/orders" }, locations), { namespace: "file", name: "/elsewhere/orders" });
        assert.deepStrictEqual(stoodInDataset(raw, locations), raw);
    });
});
