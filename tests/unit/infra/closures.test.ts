import * as assert from "assert";
import * as fs from "fs";
import { functionEnvironment, invokeFresh, unpackFunction } from "../../helpers/deployed";
import { ofType, stackRun } from "../../helpers/stacks";

/**
 * Every function the program deploys as an inline callback, exactly as the program serialized it,
 * loads in a fresh Node process and answers a bad event with the runtime's clear error (no AWS
 * call is needed for that). The integration suite invokes them against local AWS APIs.
 */
describe("deployed inline callbacks load and run in a fresh Node process", () => {
    const dirs: string[] = [];
    after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    it("deploys the ingest, API connector, file-ingest, change-file landing, quality and load functions as callbacks in each stack", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const names = ofType(await stackRun(stack), "aws:lambda/function:Function").map((f) => f.name).sort();
            assert.deepStrictEqual(names, ["connectors-fx-rates", "databases-landing", "files-store_inventory", "ingest-orders", "orchestration-load", "orchestration-quality"], stack);
        }
    });

    it("the ingest function refuses an event that is neither MSK nor Kinesis, naming the shape it expected", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const fn = ofType(await stackRun(stack), "aws:lambda/function:Function").find((f) => f.name === "ingest-orders")!;
            const dir = unpackFunction(fn);
            dirs.push(dir);
            const invocation = await invokeFresh(dir, { hello: "world" }, { ...functionEnvironment(fn), S3_ENDPOINT: "http://127.0.0.1:9" });
            assert.ok(invocation.error, `${stack}: expected an error, got ${invocation.stdout}`);
            assert.strictEqual(invocation.error.name, "EventShapeError", `${stack}: ${invocation.error.message}`);
        }
    });

    it("the API connector loads its settings from the environment the program gave it and names an unreachable S3 endpoint", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const fn = ofType(await stackRun(stack), "aws:lambda/function:Function").find((f) => f.name === "connectors-fx-rates")!;
            const dir = unpackFunction(fn);
            dirs.push(dir);
            const invocation = await invokeFresh(dir, { source: "fx-rates" }, { ...functionEnvironment(fn), S3_ENDPOINT: "http://127.0.0.1:9", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
            assert.ok(invocation.error, `${stack}: expected an error, got ${invocation.stdout}`);
            assert.match(invocation.error.message, /GetObject s3:\/\/.*\/_connectors\/fx-rates\/checkpoint\.json failed/, `${stack}: ${invocation.error.message}`);
        }
    });

    it("the file-ingest function refuses an event that is not an S3 Object Created event, naming what it expected", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const fn = ofType(await stackRun(stack), "aws:lambda/function:Function").find((f) => f.name === "files-store_inventory")!;
            const dir = unpackFunction(fn);
            dirs.push(dir);
            const invocation = await invokeFresh(dir, { source: "aws.sqs", "detail-type": "Message" }, { ...functionEnvironment(fn), S3_ENDPOINT: "http://127.0.0.1:9" });
            assert.strictEqual(invocation.error?.name, "FileEventShapeError", `${stack}: ${invocation.stdout}`);
            assert.match(invocation.error?.message ?? "", /expected source "aws.s3" and detail-type "Object Created"/);
        }
    });

    it("the change-file landing function refuses an event that is not an S3 Object Created event, and a key outside the DMS folder", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const fn = ofType(await stackRun(stack), "aws:lambda/function:Function").find((f) => f.name === "databases-landing")!;
            const dir = unpackFunction(fn);
            dirs.push(dir);
            const env = { ...functionEnvironment(fn), S3_ENDPOINT: "http://127.0.0.1:9" };
            const wrong = await invokeFresh(dir, { source: "aws.sqs", "detail-type": "Message" }, env);
            assert.strictEqual(wrong.error?.name, "FileEventShapeError", `${stack}: ${wrong.stdout}`);
            const outside = await invokeFresh(dir, { source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: functionEnvironment(fn).RAW_BUCKET }, object: { key: "customers/x.csv" } } }, env);
            assert.strictEqual(outside.error?.name, "CdcError", `${stack}: ${outside.stdout}`);
            assert.match(outside.error?.message ?? "", /is not _dms\/<schema>\/<table>\/<file>\.csv/);
        }
    });

    it("the quality function refuses an unknown dataset by name", async () => {
        const fn = ofType(await stackRun("dev"), "aws:lambda/function:Function").find((f) => f.name === "orchestration-quality")!;
        const dir = unpackFunction(fn);
        dirs.push(dir);
        const invocation = await invokeFresh(dir, { dataset: "invoices", source: "sparkRun", summaryUri: "s3://b/k.json" }, functionEnvironment(fn));
        assert.match(invocation.error?.message ?? invocation.stdout, /unknown dataset 'invoices'; expected one of: orders, fx_rates, store_inventory, customers/);
    });

    it("the load function refuses an event without a dataset, showing the expected shape", async () => {
        const fn = ofType(await stackRun("prod"), "aws:lambda/function:Function").find((f) => f.name === "orchestration-load")!;
        const dir = unpackFunction(fn);
        dirs.push(dir);
        const invocation = await invokeFresh(dir, {}, functionEnvironment(fn));
        assert.match(invocation.error?.message ?? invocation.stdout, /load event must name a dataset, e\.g\. \{"dataset":"orders"\}/);
    });
});
