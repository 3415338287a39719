import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { emrInstanceTypes, mskInstanceTypes, redshiftNodeTypes } from "../../../infra/config/catalog";
import { knownRegions, loadPriceBook, MissingPriceError, PriceBook, PriceFile, UnknownRegionError } from "../../../cost/prices";

describe("price files", () => {
    const file = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "cost", "prices", "us-east-1.json"), "utf8")) as PriceFile;

    it("has us-east-1, with a 730-hour month", () => {
        assert.deepStrictEqual(knownRegions(), ["us-east-1"]);
        assert.strictEqual(loadPriceBook("us-east-1").hoursPerMonth, 730);
    });

    it("dates every price and gives its unit, status and source", () => {
        for (const [id, e] of Object.entries(file.prices)) {
            assert.match(e.asOf, /^20\d\d-\d\d-\d\d$/, id);
            assert.ok(["C", "D", "U", "A"].includes(e.status), id);
            assert.ok(e.source.length > 20 && e.unit.length > 0, id);
        }
    });

    it("refuses an unknown region with the regions it knows and the fix, never a price of zero", () => {
        assert.throws(
            () => loadPriceBook("eu-west-1"),
            (err: Error) => err instanceof UnknownRegionError && /expected one of us-east-1/.test(err.message) && /found "eu-west-1"/.test(err.message) && /add cost\/prices\/eu-west-1\.json/.test(err.message),
        );
    });

    it("refuses a missing price by name", () => {
        assert.throws(() => loadPriceBook("us-east-1").price("msk.broker.kafka.x1.huge"), (err: Error) => err instanceof MissingPriceError && /msk\.broker\.kafka\.x1\.huge/.test(err.message));
    });

    it("refuses a price file entry without a price or with a bad date", () => {
        const bad = { ...file, prices: { x: { unit: "hours", status: "C", asOf: "July 2024", source: "nowhere in particular" } } } as unknown as PriceFile;
        assert.throws(() => new PriceBook(bad), /x: expected either a non-negative "price" or "tiers"[\s\S]*x\.asOf: expected a date/);
    });

    it("prices every MSK broker, Redshift node and EMR instance type the config catalogue knows", () => {
        const book = loadPriceBook("us-east-1");
        const missing = [
            ...mskInstanceTypes.known.map((t) => `msk.broker.${t}`),
            ...redshiftNodeTypes.known.map((t) => `redshift.node.${t}`),
            ...emrInstanceTypes.known.flatMap((t) => [`ec2.instance.${t}`, `emr.fee.${t}`]),
        ].filter((id) => !book.has(id));
        assert.deepStrictEqual(missing, []);
    });
});
