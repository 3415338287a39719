import * as assert from "assert";
import { checkDatasetDefinition, customers, DatasetDefinition, DatasetDefinitionError, orders } from "../../../runtime/datasets";
import { curatedFields } from "../../../runtime/datasets/schema";

/** Orders with its `customers` enrichment replaced. */
function ordersWithCustomers(change: (enrichment: NonNullable<DatasetDefinition["enrichments"]>[number]) => NonNullable<DatasetDefinition["enrichments"]>[number]): DatasetDefinition {
    return { ...orders, enrichments: (orders.enrichments ?? []).map((enrichment) => (enrichment.name === "customers" ? change(enrichment) : enrichment)) };
}

describe("orders ⋈ customers: an enrichment fed by a dataset's published reference", () => {
    it("joins orders to the reference customers publishes, on customer_id, with its segment and country", () => {
        const enrichment = orders.enrichments?.find((candidate) => candidate.name === customers.publishes?.name);
        assert.ok(enrichment, "orders declares the customers enrichment");
        assert.deepStrictEqual([enrichment.key, ...enrichment.columns.map((column) => column.name)], Object.values(customers.publishes?.columns ?? {}));
        assert.strictEqual(checkDatasetDefinition(orders), orders);
    });

    it("puts the customer columns on the curated orders and marks the customer's country as personal data", () => {
        const fields = curatedFields(orders);
        assert.deepStrictEqual(fields.filter((field) => field.name.startsWith("customer_")).map((field) => `${field.name}:${field.type}:${"personalData" in field && field.personalData === true}`), [
            "customer_id:string:true",
            "customer_segment:string:false",
            "customer_country:string:true",
        ]);
        assert.deepStrictEqual(orders.personalData, ["customer_id", "customer_country"]);
    });

    it("rejects an enrichment that asks for a column the publisher does not publish, naming both sides and the fix", () => {
        const renamed = ordersWithCustomers((enrichment) => ({ ...enrichment, columns: enrichment.columns.map((column) => (column.name === "customer_country" ? { ...column, name: "customer_nation" } : column)) }));
        assert.throws(
            () => checkDatasetDefinition(renamed),
            (error: unknown) =>
                error instanceof DatasetDefinitionError &&
                /dataset 'orders': enrichment 'customers' is the reference dataset 'customers' publishes, which has key 'customer_id' and columns customer_segment, customer_country; found key 'customer_id' and columns customer_segment, customer_nation; make the enrichment match the publishes block of 'customers'/.test(error.message),
        );
    });

    it("rejects an enrichment that joins on another key or takes the columns in another order", () => {
        assert.throws(() => checkDatasetDefinition(ordersWithCustomers((enrichment) => ({ ...enrichment, key: "store_id" }))), /found key 'store_id'/);
        assert.throws(() => checkDatasetDefinition(ordersWithCustomers((enrichment) => ({ ...enrichment, columns: [...enrichment.columns].reverse() }))), /found key 'customer_id' and columns customer_country, customer_segment/);
    });

    it("checks only against the publishers it is given", () => {
        const otherKey = ordersWithCustomers((enrichment) => ({ ...enrichment, key: "store_id" }));
        assert.strictEqual(checkDatasetDefinition(otherKey, [orders]), otherKey, "no publisher among the given datasets: nothing to match");
    });

    it("still requires every personal-data entry to be a field or a reference column", () => {
        assert.throws(() => checkDatasetDefinition({ ...orders, personalData: ["customer_email"] }), /personalData names field 'customer_email', which is not declared/);
    });
});
