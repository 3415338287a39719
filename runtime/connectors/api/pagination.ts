import { ApiResponseError } from "./errors";

/**
 * The four pagination styles the connector speaks, as data (they come from stack config):
 * - `cursor`: the response carries an opaque cursor (`cursorField`) sent back as `cursorParam`;
 *   an absent, null or empty cursor ends the window.
 * - `nextLink`: the response carries the next page's absolute URL (`nextField`, such as
 *   `links.next`); absent or null ends it. The link must stay on the source's origin.
 * - `page`: numbered pages (`pageParam`, starting at `firstPage`) of `pageSize` records
 *   (`sizeParam`); a short page ends it.
 * - `offset`: `offsetParam` advances by `limit` records (`limitParam`); a short page ends it.
 */
export type Pagination =
    | { readonly style: "cursor"; readonly cursorParam: string; readonly cursorField: string; readonly sizeParam?: string; readonly pageSize?: number }
    | { readonly style: "nextLink"; readonly nextField: string; readonly sizeParam?: string; readonly pageSize?: number }
    | { readonly style: "page"; readonly pageParam: string; readonly sizeParam: string; readonly pageSize: number; readonly firstPage: number }
    | { readonly style: "offset"; readonly offsetParam: string; readonly limitParam: string; readonly limit: number };

export const paginationStyles: readonly Pagination["style"][] = ["cursor", "nextLink", "page", "offset"];

/** Where the next page is, in a style-neutral form; `undefined` ends the window. */
export type PageToken = { readonly kind: "first" } | { readonly kind: "cursor"; readonly cursor: string } | { readonly kind: "url"; readonly url: string } | { readonly kind: "number"; readonly value: number };

/** Reads a dotted path (`links.next`, `data`) from a parsed JSON document. */
export function readPath(document: unknown, path: string): unknown {
    let value: unknown = document;
    for (const part of path.split(".")) {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            return undefined;
        }
        value = (value as Record<string, unknown>)[part];
    }
    return value;
}

/** The URL of a page: the base URL with the window parameters and the style's paging parameters. */
export function pageUrl(baseUrl: string, pagination: Pagination, token: PageToken, windowParams: Readonly<Record<string, string>>): string {
    if (token.kind === "url") {
        return token.url;
    }
    const url = new URL(baseUrl);
    for (const [name, value] of Object.entries(windowParams)) {
        url.searchParams.set(name, value);
    }
    switch (pagination.style) {
        case "cursor":
        case "nextLink":
            if (pagination.sizeParam && pagination.pageSize) {
                url.searchParams.set(pagination.sizeParam, String(pagination.pageSize));
            }
            if (pagination.style === "cursor" && token.kind === "cursor") {
                url.searchParams.set(pagination.cursorParam, token.cursor);
            }
            break;
        case "page":
            url.searchParams.set(pagination.pageParam, String(token.kind === "number" ? token.value : pagination.firstPage));
            url.searchParams.set(pagination.sizeParam, String(pagination.pageSize));
            break;
        case "offset":
            url.searchParams.set(pagination.offsetParam, String(token.kind === "number" ? token.value : 0));
            url.searchParams.set(pagination.limitParam, String(pagination.limit));
            break;
    }
    return url.toString();
}

/**
 * The token of the page after this one, or `undefined` when this was the last. `current` is the
 * token this page was fetched with and `count` the number of records it held.
 */
export function nextPageToken(pagination: Pagination, document: unknown, current: PageToken, count: number, baseUrl: string): PageToken | undefined {
    switch (pagination.style) {
        case "cursor": {
            const cursor = readPath(document, pagination.cursorField);
            if (cursor === undefined || cursor === null || cursor === "") {
                return undefined;
            }
            if (typeof cursor !== "string" && typeof cursor !== "number") {
                throw new ApiResponseError(`response field '${pagination.cursorField}' must be a string cursor, found ${JSON.stringify(cursor)}; fix pagination.cursorField in the source's config`);
            }
            if (current.kind === "cursor" && current.cursor === String(cursor)) {
                throw new ApiResponseError(`the API returned the cursor '${cursor}' it was called with; stopping instead of looping forever`);
            }
            return count === 0 ? undefined : { kind: "cursor", cursor: String(cursor) };
        }
        case "nextLink": {
            const next = readPath(document, pagination.nextField);
            if (next === undefined || next === null || next === "") {
                return undefined;
            }
            if (typeof next !== "string") {
                throw new ApiResponseError(`response field '${pagination.nextField}' must be a URL, found ${JSON.stringify(next)}; fix pagination.nextField in the source's config`);
            }
            const resolved = new URL(next, baseUrl);
            // Credentials go with every request, so a link to another host is refused, not followed.
            if (resolved.origin !== new URL(baseUrl).origin) {
                throw new ApiResponseError(`the next link ${resolved.origin} leaves the source's origin ${new URL(baseUrl).origin}; refusing to send credentials there`);
            }
            if (current.kind === "url" && current.url === resolved.toString()) {
                throw new ApiResponseError(`the API returned the link it was called with (${resolved}); stopping instead of looping forever`);
            }
            return count === 0 ? undefined : { kind: "url", url: resolved.toString() };
        }
        case "page": {
            if (count < pagination.pageSize) {
                return undefined;
            }
            return { kind: "number", value: (current.kind === "number" ? current.value : pagination.firstPage) + 1 };
        }
        case "offset": {
            if (count < pagination.limit) {
                return undefined;
            }
            return { kind: "number", value: (current.kind === "number" ? current.value : 0) + count };
        }
    }
}
