import * as assert from "assert";
import { functionEnvironment } from "../../helpers/deployed";
import { ofType, one, stackRun, variantRun } from "../../helpers/stacks";

const T = { object: "aws:s3/bucketObjectv2:BucketObjectv2", fn: "aws:lambda/function:Function" };

/** dev with the customers table mapped under another name and a declared composite key. */
const declaredKey = { stack: "dev", overrides: { "platform:dbSourceTables": JSON.stringify(["crm.clients=customers:id+created_at"]) } } as const;

describe("a table mapping's declared key (schema.table=dataset:key1+key2) in the plan", function () {
    this.timeout(300_000);

    it("reaches the CDC apply's spec, the warehouse load function and the landing function", async () => {
        const run = await variantRun(declaredKey);
        const spec = JSON.parse(String(one(run, T.object, "orchestration-cdc-spec-customers").inputs.content));
        assert.deepStrictEqual(spec.key, ["id", "created_at"]);
        assert.strictEqual(functionEnvironment(one(run, T.fn, "orchestration-load")).WAREHOUSE_CDC_KEYS, "customers=id+created_at");
        assert.strictEqual(functionEnvironment(one(run, T.fn, "databases-landing")).CDC_TABLES, "crm.clients=customers:id+created_at");
    });

    it("keeps the dataset's own key in the shipped stacks", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const run = await stackRun(stack);
            assert.deepStrictEqual(JSON.parse(String(one(run, T.object, "orchestration-cdc-spec-customers").inputs.content)).key, ["id"], stack);
            assert.strictEqual(functionEnvironment(one(run, T.fn, "orchestration-load")).WAREHOUSE_CDC_KEYS, "customers=id", stack);
            assert.strictEqual(ofType(run, T.fn).filter((f) => functionEnvironment(f).WAREHOUSE_CDC_KEYS !== undefined).length, 1, `${stack}: only the load function reads it`);
        }
    });
});
