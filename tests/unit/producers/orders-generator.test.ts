import * as assert from "assert";
import { orders } from "../../../runtime/datasets";
import { decodeMskEvent } from "../../../runtime/ingest/decode";
import { classifyRecord } from "../../../runtime/ingest/classify";
import { compileValidator } from "../../../runtime/ingest/validate";
import { createOrderGenerator, createRandom, orderDefects, OrderDefect } from "../../../runtime/producers/orders";
import { mskEvent } from "../../helpers/ingest/events";

const start = Date.UTC(2024, 4, 1);
const validator = compileValidator(orders);

function classify(value: Buffer, key: string | null, streamTimeMs: number, maxRecordBytes = 100_000) {
    const [record] = decodeMskEvent(mskEvent([{ offset: 1, value, key, timestamp: streamTimeMs }]), { maxRecordBytes });
    return classifyRecord(record!, validator);
}

describe("the orders generator", () => {
    it("is deterministic for a seed and differs between seeds", () => {
        const a = createOrderGenerator({ seed: 7, badRatio: 0.2 }).take(50);
        const b = createOrderGenerator({ seed: 7, badRatio: 0.2 }).take(50);
        const c = createOrderGenerator({ seed: 8, badRatio: 0.2 }).take(50);
        assert.deepStrictEqual(a, b);
        assert.notDeepStrictEqual(a, c);
    });

    it("makes orders that all pass the dataset's validation when badRatio is 0", () => {
        const messages = createOrderGenerator({ seed: 1, startTimeMs: start }).take(2000);
        const streamTime = start + 2000 * 1000 + 60_000;
        for (const message of messages) {
            const result = classify(message.value, message.key, streamTime);
            assert.strictEqual(result.zone, "raw", `message ${message.sequence} was rejected: ${result.line}`);
        }
        assert.ok(messages.every((message) => message.key !== null && /^ORD-[0-9A-Z]{12}$/.test(message.key)));
    });

    it("injects about badRatio defects, each rejected with the error type it announces", () => {
        const messages = createOrderGenerator({ seed: 3, badRatio: 0.25, startTimeMs: start, oversizeBytes: 3000 }).take(4000);
        const streamTime = start + 4000 * 1000 + 60_000;
        const bad = messages.filter((message) => message.defect !== null);
        assert.ok(bad.length > 900 && bad.length < 1100, `${bad.length} defects`);
        const seen = new Set<OrderDefect>();
        for (const message of messages) {
            const result = classify(message.value, message.key, streamTime, 2048);
            const errorType = result.zone === "raw" ? null : result.errorType;
            assert.strictEqual(errorType, message.expectedErrorType, `defect ${message.defect}: ${result.line.slice(0, 300)}`);
            if (message.defect) {
                seen.add(message.defect);
            }
        }
        assert.deepStrictEqual([...seen].sort(), (Object.keys(orderDefects) as OrderDefect[]).sort());
    });

    it("draws only the defects it is given, and refuses oversized without a size", () => {
        const messages = createOrderGenerator({ seed: 5, badRatio: 1, defects: ["not_json"] }).take(20);
        assert.ok(messages.every((message) => message.defect === "not_json"));
        assert.throws(() => createOrderGenerator({ seed: 1, defects: ["oversized"] }), /oversizeBytes/);
        assert.throws(() => createOrderGenerator({ seed: 1, badRatio: 1.5 }), /badRatio must be a share between 0 and 1, such as 0\.05; found 1\.5/);
    });

    it("uses a uniform pseudo-random sequence", () => {
        const random = createRandom(42);
        const draws = Array.from({ length: 20_000 }, random);
        const mean = draws.reduce((sum, x) => sum + x, 0) / draws.length;
        assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
        assert.ok(draws.every((x) => x >= 0 && x < 1));
    });
});
