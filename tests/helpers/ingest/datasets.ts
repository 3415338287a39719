import { DatasetDefinition } from "../../../runtime/datasets/types";

/**
 * A dataset for validator tests: its name, fields, key and event time as given, everything the
 * validator does not read (quality checks, warehouse design, aggregates) empty or default, hourly
 * partitions and no cross-field rules unless given.
 */
export function testDataset(parts: Pick<DatasetDefinition, "name" | "version" | "description" | "fields" | "key" | "eventTimeField"> & Partial<Pick<DatasetDefinition, "crossFieldRules">>): DatasetDefinition {
    return {
        partitioning: "hour",
        crossFieldRules: [],
        quality: [],
        warehouse: { distStyle: "AUTO", sortKeys: [] },
        classification: "internal",
        aggregates: [],
        ...parts,
    };
}
