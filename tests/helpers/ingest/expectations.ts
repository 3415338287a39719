import * as assert from "assert";
import { parseObjectKey } from "../../../runtime/ingest/layout";
import { GeneratedOrder } from "../../../runtime/producers/orders";

interface Landed {
    readonly key: string | null;
    readonly zone: "raw" | "rejects";
    readonly errorType: string | null;
    readonly coordinates: string;
}

/**
 * Checks the raw and rejects zones against what was produced: every produced message is in
 * exactly one place (no loss, no duplicate by source coordinates), valid ones in raw and defective
 * ones in rejects with the error type the generator announced, and every key follows the scheme.
 */
export function assertZonesMatch(produced: readonly GeneratedOrder[], raw: Map<string, string>, rejects: Map<string, string>, expectedSource: string): void {
    const landed: Landed[] = [];
    for (const [objectKey, text] of raw) {
        const parsed = parseObjectKey(objectKey);
        assert.ok(parsed && parsed.errorType === undefined && parsed.source === expectedSource, `unexpected raw key ${objectKey}`);
        for (const line of text.split("\n").filter((l) => l !== "")) {
            const record = JSON.parse(line) as { order_id: string; _ingest: { key: string | null; source: string; partition: string; position: string; dt: string; hour: string } };
            assert.strictEqual(record._ingest.partition, parsed.partition, `record in ${objectKey} from partition ${record._ingest.partition}`);
            assert.deepStrictEqual([record._ingest.dt, record._ingest.hour], [parsed.dt, parsed.hour]);
            landed.push({ key: record._ingest.key, zone: "raw", errorType: null, coordinates: `${record._ingest.source}/${record._ingest.partition}/${record._ingest.position}` });
        }
    }
    for (const [objectKey, text] of rejects) {
        const parsed = parseObjectKey(objectKey);
        assert.ok(parsed && parsed.errorType !== undefined && parsed.source === expectedSource, `unexpected rejects key ${objectKey}`);
        for (const line of text.split("\n").filter((l) => l !== "")) {
            const record = JSON.parse(line) as { error_type: string; key_base64: string | null; source: string; partition: string; position: string; payload_base64: string | null };
            assert.strictEqual(record.error_type, parsed.errorType);
            landed.push({
                key: record.key_base64 === null ? null : Buffer.from(record.key_base64, "base64").toString(),
                zone: "rejects",
                errorType: record.error_type,
                coordinates: `${record.source}/${record.partition}/${record.position}`,
            });
        }
    }
    assert.strictEqual(new Set(landed.map((l) => l.coordinates)).size, landed.length, "a record landed twice");
    assert.strictEqual(landed.length, produced.length, `${produced.length} produced, ${landed.length} landed or rejected`);
    const byKey = new Map(landed.map((l) => [l.key, l]));
    for (const message of produced) {
        const found = byKey.get(message.key);
        assert.ok(found, `message ${message.sequence} (${message.key}) is missing`);
        assert.deepStrictEqual([found.zone, found.errorType], message.expectedErrorType === null ? ["raw", null] : ["rejects", message.expectedErrorType], `message ${message.sequence} (${message.defect ?? "valid"})`);
    }
}
