import * as assert from "assert";
import { orders } from "../../../runtime/datasets";
import {
    buildRunEvent,
    createFacets,
    datasetNames,
    deterministicRunId,
    LineageInputError,
    openLineageSpecUrl,
    runEventSchemaUrl,
    vendoredSpec,
} from "../../../runtime/lineage";
import { assertValidEvents, schemaErrors, vendoredSchemaSha256, vendoredSchemaText } from "../../helpers/lineage/schema";

const job = { namespace: "etl-platform-dev", name: "ingest.orders" };
const facets = createFacets();

describe("the OpenLineage builder", () => {
    describe("the vendored official schema", () => {
        it("is the recorded upstream file, byte for byte (a changed file must update spec.ts)", () => {
            assert.strictEqual(vendoredSchemaSha256(), vendoredSpec.sha256);
        });

        it("declares the spec version the builder stamps into schemaURL", () => {
            const schema = JSON.parse(vendoredSchemaText()) as { $id: string };
            assert.strictEqual(schema.$id, openLineageSpecUrl);
            assert.ok(runEventSchemaUrl.startsWith(`${schema.$id}#/$defs/`));
        });

        it("rejects an event without a run id, so validation can fail", () => {
            const event = buildRunEvent({ eventType: "START", runId: deterministicRunId("x"), job }) as unknown as Record<string, unknown>;
            const broken = { ...event, run: {} };
            assert.notDeepStrictEqual(schemaErrors(broken), []);
        });

        it("rejects a facet without _producer and _schemaURL", () => {
            const event = buildRunEvent({ eventType: "START", runId: deterministicRunId("x"), job, outputs: [{ ...datasetNames.s3("raw", "orders"), facets: { schema: { fields: [] } as never } }] });
            assert.notDeepStrictEqual(schemaErrors(event), []);
        });
    });

    describe("run ids", () => {
        it("are the same UUID for the same parts, so a replayed window is the same run", () => {
            assert.strictEqual(deterministicRunId("ingest", "orders", "2026-12-06T04"), deterministicRunId("ingest", "orders", "2026-12-06T04"));
        });

        it("differ when any part differs and are version-5 UUIDs", () => {
            const a = deterministicRunId("ingest", "orders", "2026-12-06T04");
            const b = deterministicRunId("ingest", "orders", "2026-12-06T05");
            assert.notStrictEqual(a, b);
            assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        });

        it("keep parts apart (a|bc is not ab|c)", () => {
            assert.notStrictEqual(deterministicRunId("a", "bc"), deterministicRunId("ab", "c"));
        });

        it("refuse an empty part, naming the field", () => {
            assert.throws(() => deterministicRunId("ingest", ""), (error: unknown) => error instanceof LineageInputError && error.field === "runId" && /part 1/.test(error.message));
        });
    });

    describe("dataset names", () => {
        it("name an S3 prefix as s3://<bucket> and the prefix", () => {
            assert.deepStrictEqual(datasetNames.s3("lake-raw", "/orders/"), { namespace: "s3://lake-raw", name: "orders" });
        });

        it("name a Kafka topic by its first bootstrap server", () => {
            assert.deepStrictEqual(datasetNames.kafka("b-1.msk:9098,b-2.msk:9098", "orders"), { namespace: "kafka://b-1.msk:9098", name: "orders" });
        });

        it("refuse Kafka bootstrap servers without a port", () => {
            assert.throws(() => datasetNames.kafka("b-1.msk", "orders"), (error: unknown) => error instanceof LineageInputError && error.field === "dataset.namespace" && /host:port/.test(error.message));
        });

        it("name a Kinesis stream by its ARN", () => {
            assert.deepStrictEqual(datasetNames.kinesis("eu-west-1", "123456789012", "orders"), { namespace: "arn:aws:kinesis:eu-west-1:123456789012", name: "stream/orders" });
        });

        it("name an HTTP API by scheme and host, and the path", () => {
            assert.deepStrictEqual(datasetNames.http("https://api.example.com:8443/v1/rates?x=1"), { namespace: "https://api.example.com:8443", name: "/v1/rates" });
        });

        it("name a Redshift table as redshift://<id>.<region>:<port> and database.schema.table", () => {
            assert.deepStrictEqual(datasetNames.redshift("wh", "eu-west-1", "analytics", "public", "orders"), { namespace: "redshift://wh.eu-west-1:5439", name: "analytics.public.orders" });
        });
    });

    describe("events", () => {
        it("build a START, a COMPLETE with every facet and a FAIL that all validate against the official schema", () => {
            const runId = deterministicRunId("ingest", "orders", "2026-12-06T04");
            const parentId = deterministicRunId("orchestration", "2026-12-06");
            const input = { ...datasetNames.kafka("b-1:9098", "orders"), facets: { schema: facets.schema(orders) }, inputFacets: { dataQualityMetrics: facets.dataQualityMetrics({ rowCount: 10, columnMetrics: { amount: { nullCount: 0, min: 1, max: 9 } } }) } };
            const output = {
                ...datasetNames.s3("lake-raw", "orders"),
                facets: { schema: facets.schema(orders), dataQualityAssertions: facets.dataQualityAssertions([{ assertion: "rowCount", success: true }]) },
                outputFacets: { outputStatistics: facets.outputStatistics(9, 2048) },
            };
            const events = [
                buildRunEvent({ eventType: "START", runId, job, inputs: [input], outputs: [output], runFacets: { parent: facets.parent(parentId, { namespace: job.namespace, name: "orchestration" }) } }),
                buildRunEvent({ eventType: "COMPLETE", runId, job, inputs: [input], outputs: [output] }),
                buildRunEvent({ eventType: "FAIL", runId, job, runFacets: { errorMessage: facets.errorMessage(new Error("S3 timed out")) } }),
            ];
            assertValidEvents(events);
            assert.strictEqual(events[0]!.schemaURL, runEventSchemaUrl);
            assert.match(events[2]!.run.facets!.errorMessage!.message, /S3 timed out/);
        });

        it("describe the dataset's fields in the schema facet, arrays of structs included", () => {
            const schema = facets.schema(orders);
            assert.deepStrictEqual(schema.fields.map((field) => field.name), orders.fields.map((field) => field.name));
            const items = schema.fields.find((field) => field.type.startsWith("array<"));
            assert.ok(items, "orders has an array-of-struct field");
            assert.match(items.type, /^array<struct<[a-z_]+:[a-z]+(,[a-z_]+:[a-z]+)*>>$/);
        });

        it("refuse a run id that is not a UUID, naming the field and the fix", () => {
            assert.throws(() => buildRunEvent({ eventType: "START", runId: "run-1", job }), (error: unknown) => error instanceof LineageInputError && error.field === "run.runId" && /deterministicRunId/.test(error.message));
        });

        it("refuse a negative row count", () => {
            assert.throws(() => facets.outputStatistics(-1), (error: unknown) => error instanceof LineageInputError && error.field === "outputStatistics.rowCount");
        });
    });
});
