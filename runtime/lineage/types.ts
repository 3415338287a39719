/**
 * The OpenLineage RunEvent model (core spec 1-0-1, see `spec.ts`) as TypeScript types, with the
 * standard facets the platform emits. Events are plain JSON data.
 */

export type RunEventType = "START" | "COMPLETE" | "ABORT" | "FAIL" | "OTHER";

/** Every facet carries who produced it and the schema of its shape. */
export interface BaseFacet {
    readonly _producer: string;
    readonly _schemaURL: string;
}

export interface SchemaDatasetFacet extends BaseFacet {
    readonly fields: readonly { readonly name: string; readonly type: string; readonly description?: string }[];
}

export interface OutputStatisticsFacet extends BaseFacet {
    readonly rowCount: number;
    readonly size?: number;
}

export interface DataQualityMetricsFacet extends BaseFacet {
    readonly rowCount?: number;
    readonly bytes?: number;
    readonly columnMetrics: Readonly<Record<string, { readonly nullCount?: number; readonly distinctCount?: number; readonly min?: number; readonly max?: number }>>;
}

export interface DataQualityAssertionsFacet extends BaseFacet {
    readonly assertions: readonly { readonly assertion: string; readonly success: boolean; readonly column?: string }[];
}

export interface ErrorMessageFacet extends BaseFacet {
    readonly message: string;
    readonly programmingLanguage: string;
    readonly stackTrace?: string;
}

export interface ParentRunFacet extends BaseFacet {
    readonly run: { readonly runId: string };
    readonly job: { readonly namespace: string; readonly name: string };
}

export interface NominalTimeFacet extends BaseFacet {
    readonly nominalStartTime: string;
    readonly nominalEndTime?: string;
}

export interface DatasetRef {
    readonly namespace: string;
    readonly name: string;
}

export interface InputDataset extends DatasetRef {
    readonly facets?: { readonly schema?: SchemaDatasetFacet; readonly dataQualityAssertions?: DataQualityAssertionsFacet };
    readonly inputFacets?: { readonly dataQualityMetrics?: DataQualityMetricsFacet };
}

export interface OutputDataset extends DatasetRef {
    readonly facets?: { readonly schema?: SchemaDatasetFacet; readonly dataQualityAssertions?: DataQualityAssertionsFacet };
    readonly outputFacets?: { readonly outputStatistics?: OutputStatisticsFacet };
}

export interface RunFacets {
    readonly parent?: ParentRunFacet;
    readonly errorMessage?: ErrorMessageFacet;
    readonly nominalTime?: NominalTimeFacet;
}

export interface JobRef {
    readonly namespace: string;
    readonly name: string;
}

export interface RunEvent {
    readonly eventType: RunEventType;
    readonly eventTime: string;
    readonly run: { readonly runId: string; readonly facets?: RunFacets };
    readonly job: JobRef;
    readonly inputs: readonly InputDataset[];
    readonly outputs: readonly OutputDataset[];
    readonly producer: string;
    readonly schemaURL: string;
}
