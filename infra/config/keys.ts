/**
 * Every `platform:*` stack config key, with its Pulumi type, description and default, composed
 * from the key lists that sit beside each area's parser.
 *
 * This table is the single source of truth: `Pulumi.yaml` declares exactly these keys with these
 * defaults (a test compares them), the config reader parses raw values with these types, and the
 * README's config reference lists them in this order.
 */
import { alertingKeys } from "./alerting";
import { auditKeys } from "./audit";
import { apiSourceKeys } from "./apiSources";
import { batchKeys } from "./batch";
import { budgetKeys } from "./budget";
import { databaseSourceKeys } from "./databaseSources";
import { environmentKeys } from "./environment";
import { fileDropKeys } from "./fileDrops";
import { governanceKeys } from "./governance";
import { ingestKeys } from "./ingest";
import { lakeKeys } from "./lake";
import { lineageKeys } from "./lineage";
import { networkKeys } from "./network";
import { orchestrationKeys } from "./orchestration";
import { queryKeys } from "./query";
import { ConfigKey } from "./reader";
import { sparkKeys } from "./spark";
import { streamingKeys } from "./streaming";
import { warehouseKeys } from "./warehouse";

export { configNamespace } from "./reader";
export type { ConfigKey, ConfigValueType } from "./reader";

export const configKeys: readonly ConfigKey[] = [
    ...environmentKeys,
    ...networkKeys,
    ...streamingKeys,
    ...lakeKeys,
    ...governanceKeys,
    ...warehouseKeys,
    ...ingestKeys,
    ...sparkKeys,
    ...batchKeys,
    ...orchestrationKeys,
    ...budgetKeys,
    ...alertingKeys,
    ...queryKeys,
    ...auditKeys,
    ...lineageKeys,
    ...apiSourceKeys,
    ...fileDropKeys,
    ...databaseSourceKeys,
];
