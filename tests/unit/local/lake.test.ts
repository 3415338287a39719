import * as assert from "assert";
import { gzipSync } from "zlib";
import { changedEntries, ndjsonLineCount, stableCuratedName } from "../../../runtime/local/lake";
import { exportedRowsPerFile, transformInputsFingerprint, windowRange } from "../../../runtime/local/transformStage";
import { windowOf } from "../../../runtime/local/sources";

describe("npm run local: measuring the lake", () => {
    it("names a curated file without the write's random UUID, so a rerun writing the same content writes the same key", () => {
        assert.strictEqual(
            stableCuratedName("dt=2024-05-01/part-00001-ce48a7dd-c758-49ef-bfa2-4b2bc19b259c.c000.snappy.parquet"),
            "dt=2024-05-01/part-00001.c000.snappy.parquet",
        );
        assert.strictEqual(stableCuratedName("part-00000-0a1b2c3d-0000-1111-2222-333344445555.snappy.parquet"), "part-00000.snappy.parquet");
        assert.strictEqual(stableCuratedName("dt=2024-05-01/part-00000.snappy.parquet"), "dt=2024-05-01/part-00000.snappy.parquet");
    });

    it("counts added, removed and rewritten entries between two snapshots, and nothing for equal ones", () => {
        const before = new Map([["raw/a", "1"], ["raw/b", "2"], ["raw/c", "3"]]);
        assert.strictEqual(changedEntries(before, new Map(before)), 0);
        assert.strictEqual(changedEntries(before, new Map([["raw/a", "1"], ["raw/b", "9"], ["raw/d", "4"]])), 3);
    });

    it("counts the records of a gzip NDJSON object, ignoring a final newline and blank lines", () => {
        assert.strictEqual(ndjsonLineCount(gzipSync('{"a":1}\n{"a":2}\n\n{"a":3}\n')), 3);
        assert.strictEqual(ndjsonLineCount(gzipSync("")), 0);
    });

    it("runs the transform over the window's whole UTC day", () => {
        assert.deepStrictEqual(windowRange(windowOf("2024-05-01")), { start: "2024-05-01T00:00:00Z", end: "2024-05-02T00:00:00Z" });
    });
});

describe("npm run local: when the transform is rerun", () => {
    const raw = [
        { key: "orders/dt=2024-05-01/hour=00/a", etag: "e1" },
        { key: "orders/dt=2024-05-01/hour=01/b", etag: "e2" },
    ];

    it("sees the same inputs whatever order the objects were listed in", () => {
        assert.strictEqual(transformInputsFingerprint({ raw, texts: ["spec"] }), transformInputsFingerprint({ raw: [...raw].reverse(), texts: ["spec"] }));
    });

    it("sees new inputs when a raw object, its content or the job's code changes", () => {
        const base = transformInputsFingerprint({ raw, texts: ["spec", "job"] });
        assert.notStrictEqual(transformInputsFingerprint({ raw: [...raw, { key: "orders/dt=2024-05-01/hour=02/c", etag: "e3" }], texts: ["spec", "job"] }), base);
        assert.notStrictEqual(transformInputsFingerprint({ raw: [raw[0]!, { ...raw[1]!, etag: "other" }], texts: ["spec", "job"] }), base);
        assert.notStrictEqual(transformInputsFingerprint({ raw, texts: ["spec", "job v2"] }), base);
    });

    it("counts the exported curated rows per file", () => {
        const text = ['{"file":"dt=2024-05-01/p0","row":{}}', '{"file":"dt=2024-05-01/p1","row":{}}', '{"file":"dt=2024-05-01/p0","row":{}}', ""].join("\n");
        assert.deepStrictEqual([...exportedRowsPerFile(text)], [["dt=2024-05-01/p0", 2], ["dt=2024-05-01/p1", 1]]);
    });
});
