import { FileEventShapeError } from "./errors";
import { FileRef } from "./types";

/**
 * The trigger: S3 "Object Created" events delivered by EventBridge (the bucket's EventBridge
 * notifications on, one rule per drop matching the drop's prefix, the function as the target).
 * EventBridge over an SQS notification queue because a rule filters on key prefix and suffix
 * without code, retries the asynchronous invocation with its own dead-letter queue, and the event
 * names the object version (`detail.object.version-id`), which is what makes a file idempotent.
 *
 *   { "detail-type": "Object Created", "source": "aws.s3",
 *     "detail": { "bucket": { "name": "…" }, "object": { "key": "…", "size": 123, "etag": "…", "version-id": "…" }, "reason": "PutObject" } }
 */
export interface ObjectCreatedEvent {
    readonly "detail-type": string;
    readonly source: string;
    readonly time?: string;
    readonly detail: {
        readonly bucket: { readonly name: string };
        readonly object: { readonly key: string; readonly size?: number; readonly etag?: string; readonly "version-id"?: string };
        readonly reason?: string;
    };
}

function field(value: unknown, path: string, expected: string): string {
    if (typeof value !== "string" || value === "") {
        throw new FileEventShapeError(path, `expected ${expected}, found ${value === undefined ? "nothing" : JSON.stringify(value)}; the function must be the target of an EventBridge rule on S3 "Object Created" events`);
    }
    return value;
}

/** The object version an "Object Created" event names. Throws `FileEventShapeError` for any other event. */
export function fileRefOfEvent(event: unknown): FileRef {
    const e = event as Partial<ObjectCreatedEvent> | null;
    if (typeof e !== "object" || e === null) {
        throw new FileEventShapeError("$", `expected an EventBridge event object, found ${e === null ? "null" : typeof e}`);
    }
    if (e.source !== "aws.s3" || e["detail-type"] !== "Object Created") {
        throw new FileEventShapeError("$", `expected source "aws.s3" and detail-type "Object Created", found ${JSON.stringify(e.source)} / ${JSON.stringify(e["detail-type"])}; filter the rule on these values`);
    }
    const detail = e.detail as ObjectCreatedEvent["detail"] | undefined;
    const bucket = field(detail?.bucket?.name, "detail.bucket.name", "the bucket name");
    const key = field(detail?.object?.key, "detail.object.key", "the object key");
    const versionId = detail?.object?.["version-id"];
    return { bucket, key, ...(typeof versionId === "string" && versionId !== "" ? { versionId } : {}) };
}

/**
 * Other spellings of a key to try when the key as given does not exist. S3's own notification
 * format URL-encodes keys (a space becomes `+`); EventBridge sends them as stored. Trying the
 * decoded form as well means a key is never skipped because of how one channel encoded it.
 */
export function alternativeKeys(key: string): string[] {
    if (!/[%+]/.test(key)) {
        return [];
    }
    try {
        const decoded = decodeURIComponent(key.replace(/\+/g, " "));
        return decoded === key ? [] : [decoded];
    } catch {
        return [];
    }
}
