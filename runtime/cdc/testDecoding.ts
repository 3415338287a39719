import { CdcError } from "./errors";

/**
 * Parser of PostgreSQL's `test_decoding` output plugin (shipped with the server), as returned by
 * `pg_logical_slot_peek_changes(..., 'include-xids', '1', 'include-timestamp', '1')`:
 *
 *   BEGIN 746
 *   table public.customers: INSERT: id[text]:'CUST-00000001' name[text]:'O''Brien' email[text]:null
 *   table public.customers: UPDATE: old-key: id[text]:'CUST-1' new-tuple: id[text]:'CUST-2' ...
 *   table public.customers: DELETE: id[text]:'CUST-00000001'
 *   COMMIT 746 (at 2026-12-06 01:30:00.123456+00)
 *
 * Strings are single-quoted with quotes doubled; other values are bare tokens; `null` is NULL;
 * `unchanged-toast-datum` marks a TOASTed value the update did not change.
 */

export interface DecodedColumn {
    readonly name: string;
    /** PostgreSQL type as printed (`text`, `timestamp with time zone`, `character varying`, ...). */
    readonly type: string;
    /** The value's text, `null` for NULL. */
    readonly value: string | null;
    /** True for `unchanged-toast-datum`: the value is not in the change. */
    readonly unchangedToast?: boolean;
}

export type DecodedLine =
    | { readonly kind: "begin"; readonly xid: string }
    | { readonly kind: "commit"; readonly xid: string; readonly commitTime: string }
    | {
          readonly kind: "change";
          readonly schema: string;
          readonly table: string;
          readonly action: "INSERT" | "UPDATE" | "DELETE";
          /** The old key (or old row with REPLICA IDENTITY FULL) of an UPDATE that changed it; the key (or row) of a DELETE. */
          readonly old?: readonly DecodedColumn[];
          /** The new row of an INSERT or UPDATE. */
          readonly new?: readonly DecodedColumn[];
      }
    | { readonly kind: "other"; readonly text: string };

function unquoteIdentifier(text: string): string {
    return text.startsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text;
}

/** Reads `name[type]:value` pairs until the end or a `stop` word (`new-tuple:`). */
function readColumns(text: string, start: number, stopWords: readonly string[]): { columns: DecodedColumn[]; end: number } {
    const columns: DecodedColumn[] = [];
    let i = start;
    const skipSpaces = () => {
        while (text[i] === " ") i++;
    };
    skipSpaces();
    while (i < text.length) {
        if (stopWords.some((word) => text.startsWith(word, i))) {
            break;
        }
        // Column name: a bare identifier or a double-quoted one, up to '['.
        let name: string;
        if (text[i] === '"') {
            let j = i + 1;
            while (j < text.length && !(text[j] === '"' && text[j + 1] !== '"')) j += text[j] === '"' ? 2 : 1;
            name = unquoteIdentifier(text.slice(i, j + 1));
            i = j + 1;
        } else {
            const j = text.indexOf("[", i);
            if (j < 0) throw new CdcError(`test_decoding: no '[' after a column name at ${i} in: ${text}`);
            name = text.slice(i, j);
            i = j;
        }
        if (text[i] !== "[") throw new CdcError(`test_decoding: expected '[' after column '${name}' in: ${text}`);
        const close = text.indexOf("]:", i);
        if (close < 0) throw new CdcError(`test_decoding: column '${name}' has no ']:' in: ${text}`);
        const type = text.slice(i + 1, close);
        i = close + 2;
        if (text[i] === "'") {
            let value = "";
            i++;
            for (;;) {
                if (i >= text.length) throw new CdcError(`test_decoding: value of column '${name}' is not closed in: ${text}`);
                if (text[i] === "'") {
                    if (text[i + 1] === "'") {
                        value += "'";
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                value += text[i];
                i++;
            }
            columns.push({ name, type, value });
        } else {
            let j = text.indexOf(" ", i);
            if (j < 0) j = text.length;
            const token = text.slice(i, j);
            i = j;
            if (token === "unchanged-toast-datum") {
                columns.push({ name, type, value: null, unchangedToast: true });
            } else {
                columns.push({ name, type, value: token === "null" ? null : token });
            }
        }
        skipSpaces();
    }
    return { columns, end: i };
}

/** Parses one line of output. Lines for tables are `change`; other messages are `other`. */
export function parseTestDecodingLine(text: string): DecodedLine {
    let match = /^BEGIN (\d+)$/.exec(text);
    if (match) return { kind: "begin", xid: match[1] as string };
    match = /^COMMIT (\d+) \(at (.+)\)$/.exec(text);
    if (match) return { kind: "commit", xid: match[1] as string, commitTime: match[2] as string };
    match = /^table ((?:"(?:[^"]|"")+"|[^.]+))\.((?:"(?:[^"]|"")+"|[^:]+)): (INSERT|UPDATE|DELETE): /.exec(text);
    if (!match) return { kind: "other", text };
    const schema = unquoteIdentifier(match[1] as string);
    const table = unquoteIdentifier(match[2] as string);
    const action = match[3] as "INSERT" | "UPDATE" | "DELETE";
    let rest = match[0].length;
    if (text.startsWith("(no-tuple-data)", rest)) {
        return { kind: "change", schema, table, action };
    }
    if (action === "INSERT") {
        return { kind: "change", schema, table, action, new: readColumns(text, rest, []).columns };
    }
    if (action === "DELETE") {
        return { kind: "change", schema, table, action, old: readColumns(text, rest, []).columns };
    }
    if (text.startsWith("old-key: ", rest)) {
        const old = readColumns(text, rest + "old-key: ".length, ["new-tuple: "]);
        rest = old.end + "new-tuple: ".length;
        return { kind: "change", schema, table, action, old: old.columns, new: readColumns(text, rest, []).columns };
    }
    return { kind: "change", schema, table, action, new: readColumns(text, rest, []).columns };
}
