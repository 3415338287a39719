import * as assert from "assert";
import { createHash } from "crypto";
import { readFileSync } from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { vendoredSpec } from "../../../runtime/lineage/spec";
import { ObjectStore } from "../../../runtime/common/objectStore";
import { RunEvent } from "../../../runtime/lineage/types";

/** The vendored official OpenLineage schema (see runtime/lineage/spec.ts), as text. */
export function vendoredSchemaText(): string {
    return readFileSync(path.join(__dirname, "..", "..", "..", vendoredSpec.file), "utf8");
}

type Validate = ((event: unknown) => boolean) & { errors?: unknown };
let validate: Validate | undefined;

/** ajv (draft 2020-12, with the `uri`, `date-time` and `uuid` formats) compiled on the official schema. */
function validator() {
    if (!validate) {
        const ajv = new Ajv2020({ strict: false, allErrors: true });
        addFormats(ajv);
        validate = ajv.compile(JSON.parse(vendoredSchemaText())) as unknown as Validate;
    }
    return validate!;
}

/** The schema errors of one event (empty when it is a valid OpenLineage RunEvent). */
export function schemaErrors(event: unknown): string[] {
    const check = validator();
    return check(event) ? [] : ((check.errors as { instancePath: string; message?: string }[]) ?? []).map((error) => `${error.instancePath || "/"} ${error.message ?? ""}`);
}

/** Asserts every event is a valid RunEvent under the official schema. */
export function assertValidEvents(events: readonly unknown[]): void {
    assert.ok(events.length > 0, "expected at least one lineage event");
    events.forEach((event, index) => assert.deepStrictEqual(schemaErrors(event), [], `event ${index} (${JSON.stringify(event).slice(0, 300)}) is not a valid OpenLineage RunEvent`));
}

/** The events of every lineage object in a store listing (NDJSON bodies). */
export function parseLineageObjects(bodies: readonly Uint8Array[]): RunEvent[] {
    return bodies.flatMap((body) =>
        Buffer.from(body)
            .toString("utf8")
            .split("\n")
            .filter((line) => line.length > 0)
            .map((line) => JSON.parse(line) as RunEvent),
    );
}

/** The events a test's lake transport wrote under `lineage/` of the `ops` bucket (the unit tests' layout). */
export async function lakeLineageEvents(store: ObjectStore): Promise<RunEvent[]> {
    const keys = await store.listKeys("ops", "lineage/");
    return parseLineageObjects(await Promise.all(keys.map(async (key) => (await store.getObject("ops", key))!)));
}

/** The sha256 of the vendored schema file. */
export function vendoredSchemaSha256(): string {
    return createHash("sha256").update(vendoredSchemaText()).digest("hex");
}
