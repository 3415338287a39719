import * as assert from "assert";
import { glueType, redshiftType, sparkType } from "../../../runtime/datasets/schema";
import { FieldDefinition } from "../../../runtime/datasets/types";

describe("dataset field types in each storage system", () => {
    const table: [FieldDefinition, string, string, string][] = [
        [{ name: "a", type: "string", description: "" }, "string", "VARCHAR(256)", "STRING"],
        [{ name: "a", type: "string", description: "", rules: { maxLength: 20 } }, "string", "VARCHAR(20)", "STRING"],
        [{ name: "a", type: "int", description: "" }, "int", "INTEGER", "INT"],
        [{ name: "a", type: "long", description: "" }, "bigint", "BIGINT", "BIGINT"],
        [{ name: "a", type: "double", description: "" }, "double", "DOUBLE PRECISION", "DOUBLE"],
        [{ name: "a", type: "decimal", description: "", precision: 12, scale: 2 }, "decimal(12,2)", "DECIMAL(12,2)", "DECIMAL(12,2)"],
        [{ name: "a", type: "boolean", description: "" }, "boolean", "BOOLEAN", "BOOLEAN"],
        [{ name: "a", type: "date", description: "" }, "date", "DATE", "DATE"],
        [{ name: "a", type: "timestamp", description: "" }, "timestamp", "TIMESTAMPTZ", "TIMESTAMP"],
        [
            { name: "items", type: "array", description: "", items: [{ name: "sku", type: "string", description: "" }, { name: "qty", type: "int", description: "" }] },
            "array<struct<sku:string,qty:int>>",
            "SUPER",
            "ARRAY<STRUCT<sku: STRING, qty: INT>>",
        ],
    ];
    for (const [field, glue, redshift, spark] of table) {
        it(`maps ${field.type}${"rules" in field && field.rules ? " with maxLength" : ""} to ${glue} / ${redshift} / ${spark}`, () => {
            assert.deepStrictEqual([glueType(field), redshiftType(field), sparkType(field)], [glue, redshift, spark]);
        });
    }
});
