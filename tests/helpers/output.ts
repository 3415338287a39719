/**
 * Captures what Powertools Logger and Metrics print: everything written to stdout and stderr while
 * `action` runs (awaited when it returns a promise), one parsed JSON document per line. A line
 * that is not JSON fails the capture, since every runtime line must be machine-readable.
 */
export async function captureOutput<T>(action: () => T | Promise<T>): Promise<{ readonly result: T; readonly lines: Record<string, unknown>[] }> {
    const streams = [process.stdout, process.stderr];
    const originals = streams.map((stream) => stream.write.bind(stream));
    const chunks: string[] = [];
    for (const stream of streams) {
        stream.write = ((chunk: string | Uint8Array) => {
            chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
            return true;
        }) as typeof stream.write;
    }
    let result: T;
    try {
        result = await action();
    } finally {
        streams.forEach((stream, index) => {
            stream.write = originals[index] as typeof stream.write;
        });
    }
    const lines = chunks
        .join("")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => {
            try {
                return JSON.parse(line) as Record<string, unknown>;
            } catch {
                throw new SyntaxError(`a line of output is not JSON: ${line}`);
            }
        });
    return { result, lines };
}

/** The EMF documents among captured lines. */
export function emfDocuments(lines: readonly Record<string, unknown>[]): Record<string, unknown>[] {
    return lines.filter((line) => line._aws !== undefined);
}

export interface EmfDirective {
    readonly Namespace: string;
    readonly Dimensions: string[][];
    readonly Metrics: { readonly Name: string; readonly Unit: string }[];
}

/** The single metric directive of an EMF document. */
export function emfDirective(document: Record<string, unknown>): EmfDirective {
    const directives = (document._aws as { CloudWatchMetrics: EmfDirective[] }).CloudWatchMetrics;
    if (directives.length !== 1) {
        throw new RangeError(`expected one CloudWatchMetrics directive, found ${directives.length}`);
    }
    return directives[0] as EmfDirective;
}
