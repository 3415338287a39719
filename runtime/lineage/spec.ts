/**
 * The OpenLineage specification version the platform's events follow, and where the vendored copy
 * of its JSON schema (`spec/OpenLineage.json`) came from. Tests validate every event against that
 * file with ajv and fail when the file no longer matches the recorded hash or `$id`.
 */

/** The core spec version: its `$id` is `https://openlineage.io/spec/<version>/OpenLineage.json`. */
export const openLineageSpecVersion = "1-0-1";

/** The URL of the core schema. */
export const openLineageSpecUrl = `https://openlineage.io/spec/${openLineageSpecVersion}/OpenLineage.json`;

/** `schemaURL` of every RunEvent the platform emits. */
export const runEventSchemaUrl = `${openLineageSpecUrl}#/$defs/RunEvent`;

/**
 * Where the vendored schema file was taken from. No package on npm, PyPI or Maven Central ships
 * the spec's JSON files (the Python and Java clients ship classes generated from them), so the
 * file is the upstream repository's own `spec/OpenLineage.json` at the commit that declares
 * `$id` 1-0-1, byte for byte; `sha256` pins it.
 */
export const vendoredSpec = {
    file: "runtime/lineage/spec/OpenLineage.json",
    repository: "https://github.com/OpenLineage/OpenLineage",
    path: "spec/OpenLineage.json",
    commit: "f999dc208d294189e2deb59a0e6afbeeb92a0e44",
    id: openLineageSpecUrl,
    sha256: "eeda9e22b05e6185221d51866225eceb772995df4702d561a862459a74ffb8c0",
} as const;

/**
 * `_schemaURL` of each standard facet the platform emits: the facet's own versioned schema in the
 * OpenLineage spec (facets are versioned apart from the core spec).
 */
export const facetSchemaUrls = {
    schema: "https://openlineage.io/spec/facets/1-0-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
    outputStatistics: "https://openlineage.io/spec/facets/1-0-0/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet",
    dataQualityMetrics: "https://openlineage.io/spec/facets/1-0-0/DataQualityMetricsInputDatasetFacet.json#/$defs/DataQualityMetricsInputDatasetFacet",
    dataQualityAssertions: "https://openlineage.io/spec/facets/1-0-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet",
    errorMessage: "https://openlineage.io/spec/facets/1-0-0/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
    parent: "https://openlineage.io/spec/facets/1-0-0/ParentRunFacet.json#/$defs/ParentRunFacet",
    nominalTime: "https://openlineage.io/spec/facets/1-0-0/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet",
} as const;

/**
 * `producer` and `_producer` of everything the platform emits unless a stage is given another: a URN
 * naming this code base's lineage module (the spec asks for a URI, not necessarily a fetchable one).
 */
export const defaultProducer = "urn:etl-platform:runtime:lineage";
