import * as assert from "assert";
import { fileDropKeys, parseFileDrops } from "../../../infra/config/fileDrops";
import { orders, storeInventory } from "../../../runtime/datasets";
import { parseClean, rejectsEach } from "./helpers";

const parse = (reader: Parameters<typeof parseFileDrops>[0]) => parseFileDrops(reader, [orders, storeInventory]);
const drops = (value: unknown) => ({ fileDrops: JSON.stringify(value) });

describe("file drop config", () => {
    it("declares no drops by default, with the documented defaults", () => {
        assert.deepStrictEqual(parseClean(fileDropKeys, parse), {
            drops: [],
            chunkRows: 100000,
            memoryMb: 1024,
            timeoutSeconds: 900,
            reservedConcurrency: 5,
            processedExpirationDays: 30,
            quarantineExpirationDays: 90,
        });
    });

    it("reads a drop by name, its dataset defaulting to the name, formats to csv and the size limit to fileDropMaxFileMiB", () => {
        const config = parseClean(fileDropKeys, parse, { ...drops(["store_inventory", "partner_b;dataset=store_inventory;formats=jsonl, parquet;maxFileMiB=64"]), fileDropMaxFileMiB: "128" });
        assert.deepStrictEqual(config.drops, [
            { name: "store_inventory", dataset: "store_inventory", prefix: "incoming/store_inventory/", formats: ["csv"], maxFileMiB: 128 },
            { name: "partner_b", dataset: "store_inventory", prefix: "incoming/partner_b/", formats: ["jsonl", "parquet"], maxFileMiB: 64 },
        ]);
    });

    it("reads the drafts crawler's prefix, on demand unless a schedule is set", () => {
        assert.deepStrictEqual(parseClean(fileDropKeys, parse, { fileDropDraftPrefix: "drafts/" }).drafts, { prefix: "drafts/" });
        assert.deepStrictEqual(parseClean(fileDropKeys, parse, { fileDropDraftPrefix: "partners/drafts/", fileDropDraftSchedule: "cron(0 3 * * ? *)" }).drafts, { prefix: "partners/drafts/", schedule: "cron(0 3 * * ? *)" });
    });

    const fix = "pulumi config set --path 'platform:fileDrops[0]' 'store_inventory;formats=csv'";
    const draftFix = "pulumi config set platform:fileDropDraftPrefix drafts/";
    rejectsEach(fileDropKeys, parse, [
        {
            title: "a drafts prefix without its trailing slash",
            values: { fileDropDraftPrefix: "drafts" },
            problem: { key: "platform:fileDropDraftPrefix", expected: "a landing-bucket key prefix of lower-case letters, digits, _ and -, ending in /", found: '"drafts"', fix: draftFix },
        },
        {
            title: "a drafts prefix inside the drops' incoming/ prefix",
            values: { fileDropDraftPrefix: "incoming/drafts/" },
            problem: { key: "platform:fileDropDraftPrefix", expected: "a prefix apart from incoming/ (the file drops and file ingest use it)", found: '"incoming/drafts/"', fix: draftFix },
        },
        {
            title: "a drafts schedule that is a rate expression (Glue crawlers take cron only)",
            values: { fileDropDraftPrefix: "drafts/", fileDropDraftSchedule: "rate(1 day)" },
            problem: {
                key: "platform:fileDropDraftSchedule",
                expected: "a Glue cron expression with six fields, such as cron(0 3 * * ? *), or nothing for on demand",
                found: '"rate(1 day)"',
                fix: "pulumi config set platform:fileDropDraftSchedule 'cron(0 3 * * ? *)'",
            },
        },
        {
            title: "a drafts schedule without a drafts prefix",
            values: { fileDropDraftSchedule: "cron(0 3 * * ? *)" },
            problem: {
                key: "platform:fileDropDraftSchedule",
                expected: "no schedule while fileDropDraftPrefix is unset (there is no crawler to run)",
                found: '"cron(0 3 * * ? *)"',
                fix: "pulumi config set platform:fileDropDraftPrefix drafts/ (or remove fileDropDraftSchedule)",
            },
        },
        {
            title: "a drop name that is not lower snake case",
            values: drops(["Store-Inventory"]),
            problem: { key: "platform:fileDrops", expected: 'entry "Store-Inventory": a drop name in lower snake case (letter first, up to 41 characters)', found: '"Store-Inventory"', fix },
        },
        {
            title: "an unknown dataset",
            values: drops(["stock;dataset=stock"]),
            problem: { key: "platform:fileDrops", expected: 'entry "stock;dataset=stock": a dataset from orders, store_inventory', found: '"stock"', fix: "write ;dataset=<one of them>, or add the dataset to runtime/datasets" },
        },
        {
            title: "a dataset that arrives on a stream",
            values: drops(["orders"]),
            problem: { key: "platform:fileDrops", expected: 'entry "orders": a dataset whose source is "file"', found: '"orders (source stream)"', fix: 'set source: "file" in the dataset\'s definition, or drop a file dataset' },
        },
        {
            title: "an unknown format",
            values: drops(["store_inventory;formats=csv,xlsx"]),
            problem: { key: "platform:fileDrops", expected: 'entry "store_inventory;formats=csv,xlsx": formats from csv, jsonl, parquet', found: '"csv,xlsx"', fix: "write ;formats=csv or ;formats=csv,jsonl,parquet" },
        },
        {
            title: "an unknown option",
            values: drops(["store_inventory;prefix=in/"]),
            problem: { key: "platform:fileDrops", expected: 'entry "store_inventory;prefix=in/": options dataset, formats or maxFileMiB', found: '"prefix=in/"', fix: "remove ';prefix=in/' or correct its name" },
        },
        {
            title: "a size limit out of range",
            values: drops(["store_inventory;maxFileMiB=0"]),
            problem: { key: "platform:fileDrops", expected: 'entry "store_inventory;maxFileMiB=0": maxFileMiB as an integer from 1 to 10240', found: '"0"', fix: "write ;maxFileMiB=256, or leave it out to use fileDropMaxFileMiB" },
        },
        {
            title: "the same drop twice",
            values: drops(["store_inventory", "store_inventory"]),
            problem: { key: "platform:fileDrops", expected: 'entry "store_inventory": each drop name once', found: '"store_inventory"', fix: "remove the repeated entry or rename one drop" },
        },
    ]);
});
