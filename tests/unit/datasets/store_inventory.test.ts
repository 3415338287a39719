import * as assert from "assert";
import { checkDatasetDefinition, datasets, storeInventory, streamDatasets } from "../../../runtime/datasets";
import { sparkJobSpec } from "../../../runtime/datasets/schema";
import { compileValidator } from "../../../runtime/ingest/validate";

describe("the store_inventory dataset", () => {
    it("is a consistent definition registered with the platform's datasets", () => {
        assert.strictEqual(checkDatasetDefinition(storeInventory), storeInventory);
        assert.ok(datasets.includes(storeInventory));
    });

    it("arrives by file drop, so it gets no stream or topic", () => {
        assert.strictEqual(storeInventory.source, "file");
        assert.ok(!streamDatasets.includes(storeInventory));
        assert.ok(streamDatasets.every((d) => (d.source ?? "stream") === "stream"));
    });

    it("is keyed by store, SKU and as-of time, which is its event time", () => {
        assert.deepStrictEqual(storeInventory.key, ["store_id", "sku", "as_of"]);
        assert.strictEqual(sparkJobSpec(storeInventory).ddl, "store_id STRING, sku STRING, on_hand INT, as_of TIMESTAMP");
    });

    it("validates rows: normalises ids and rejects a negative quantity", () => {
        const validator = compileValidator(storeInventory);
        const good = validator.validate({ store_id: " s0001 ", sku: "abc-123", on_hand: 5, as_of: "2026-12-01T00:00:00Z" }, { referenceTimeMs: null });
        assert.ok(good.ok);
        assert.deepStrictEqual(good.record, { store_id: "S0001", sku: "ABC-123", on_hand: 5, as_of: "2026-12-01T00:00:00.000Z" });
        const bad = validator.validate({ store_id: "S0001", sku: "ABC-123", on_hand: -1, as_of: "2026-12-01T00:00:00Z" }, { referenceTimeMs: null });
        assert.ok(!bad.ok);
        assert.strictEqual(bad.violations[0]?.field, "on_hand");
    });
});
