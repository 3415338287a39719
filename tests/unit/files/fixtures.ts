import { gzipSync } from "zlib";
import { storeInventory } from "../../../runtime/datasets";
import { DropSettings } from "../../../runtime/files/types";

/** The store_inventory drop as the tests use it: every format, small chunks so files span several. */
export const drop: DropSettings = { name: "store_inventory", dataset: storeInventory, formats: ["csv", "jsonl", "parquet"], chunkRows: 3 };

/** A Parquet file of store_inventory rows, written by hyparquet-writer (as a partner's library would). */
export function parquetOf(rows: readonly { store_id: string; sku: string; on_hand: number; as_of: string }[]): Uint8Array {
    const writer = require("hyparquet-writer") as typeof import("hyparquet-writer");
    const buffer = writer.parquetWriteBuffer({
        columnData: [
            { name: "store_id", data: rows.map((r) => r.store_id), type: "STRING" },
            { name: "sku", data: rows.map((r) => r.sku), type: "STRING" },
            { name: "on_hand", data: rows.map((r) => r.on_hand), type: "INT32" },
            { name: "as_of", data: rows.map((r) => new Date(r.as_of)), type: "TIMESTAMP" },
        ],
    });
    return new Uint8Array(buffer);
}

export function gzip(text: string): Uint8Array {
    return new Uint8Array(gzipSync(Buffer.from(text, "utf8")));
}

export const bom = "\uFEFF";
