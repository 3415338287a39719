import { randomUUID } from "crypto";
import { DatasetDefinition } from "../datasets/types";
import { buildRunEvent, createFacets, DatasetRef, datasetNames, deterministicRunId, LineageEmitter } from "../lineage";
import { WarehouseTarget } from "./dataApi";
import { LoadResult } from "./loader";
import { parseS3Uri } from "./manifest";

/**
 * Lineage of a warehouse load: the curated prefix in, the Redshift table out. A load that copied
 * batches is one run named by its batch ids (deterministic: a retried Step Functions task that
 * finds the same batches reports the same run), emitted after the load as START and COMPLETE; a
 * load that found nothing new moved no data and emits nothing; a failed attempt is a FAIL of its own run.
 */
export interface LoadLineageOptions {
    readonly emitter: LineageEmitter;
    readonly namespace: string;
    /** The target table as an OpenLineage dataset. */
    readonly table: (dataset: string) => DatasetRef;
}

/** A table of the deployed warehouse (its workgroup or cluster, database and schema) as an OpenLineage dataset. */
export function warehouseTableDataset(target: WarehouseTarget, schema: string, region: string): (table: string) => DatasetRef {
    const identifier = "workgroupName" in target ? target.workgroupName : target.clusterIdentifier;
    return (table) => datasetNames.redshift(identifier, region, target.database, schema, table);
}

function curatedDataset(curatedUri: string, dataset: string): DatasetRef {
    const { bucket, key } = parseS3Uri(curatedUri);
    return datasetNames.s3(bucket, `${key.replace(/\/+$/, "")}/${dataset}`);
}

export async function emitLoadLineage(options: LoadLineageOptions, load: { readonly dataset: DatasetDefinition; readonly curatedUri: string; readonly startedAt: Date; readonly result: LoadResult }): Promise<void> {
    if (load.result.batches.length === 0) {
        return;
    }
    const facets = createFacets();
    const runId = deterministicRunId("warehouse-load", load.dataset.name, ...load.result.batches.map((batch) => batch.batchId).sort());
    const job = { namespace: options.namespace, name: `warehouse-load.${load.dataset.name}` };
    const inputs = [curatedDataset(load.curatedUri, load.dataset.name)];
    const outputs = [{ ...options.table(load.dataset.name), facets: { schema: facets.schema(load.dataset) } }];
    await options.emitter.emit("load", [
        buildRunEvent({ eventType: "START", eventTime: load.startedAt, runId, job, inputs, outputs }),
        buildRunEvent({ eventType: "COMPLETE", runId, job, inputs, outputs }),
    ]);
}

/**
 * Lineage of a change-data-capture sync (runtime/warehouse/cdc.ts): the curated state in, the
 * table out, one run per sync id (the `_load_id` the changed rows carry), START and COMPLETE;
 * a failed sync is START and FAIL of the same run.
 */
export async function emitSyncLineage(options: LoadLineageOptions, sync: { readonly dataset: DatasetDefinition; readonly curatedUri: string; readonly startedAt: Date; readonly syncId: string; readonly error?: unknown }): Promise<void> {
    const facets = createFacets();
    const runId = deterministicRunId("warehouse-sync", sync.dataset.name, sync.syncId);
    const job = { namespace: options.namespace, name: `warehouse-load.${sync.dataset.name}` };
    const inputs = [curatedDataset(sync.curatedUri, sync.dataset.name)];
    const outputs = [{ ...options.table(sync.dataset.name), facets: { schema: facets.schema(sync.dataset) } }];
    const start = buildRunEvent({ eventType: "START", eventTime: sync.startedAt, runId, job, inputs, outputs });
    const end =
        sync.error === undefined
            ? buildRunEvent({ eventType: "COMPLETE", runId, job, inputs, outputs })
            : buildRunEvent({ eventType: "FAIL", runId, job, inputs, outputs, runFacets: { errorMessage: facets.errorMessage(sync.error) } });
    await options.emitter.emit(sync.error === undefined ? "sync" : "sync-fail", [start, end]);
}

export async function emitLoadFailure(options: LoadLineageOptions, load: { readonly dataset: DatasetDefinition; readonly curatedUri: string; readonly error: unknown }): Promise<void> {
    const runId = randomUUID();
    await options.emitter.emit(`fail-${runId}`, [
        buildRunEvent({
            eventType: "FAIL",
            runId,
            job: { namespace: options.namespace, name: `warehouse-load.${load.dataset.name}` },
            inputs: [curatedDataset(load.curatedUri, load.dataset.name)],
            outputs: [options.table(load.dataset.name)],
            runFacets: { errorMessage: createFacets().errorMessage(load.error) },
        }),
    ]);
}
