import { describeError } from "../common/errors";
import { LineageTransport } from "./transport";
import { RunEvent } from "./types";

/**
 * Sends events to every configured transport and never throws: lineage is a record of the data
 * stage, not part of it, so a failed emission is reported through `onFailure` (the stages log it
 * and count it in their `LineageEmitFailures` metric) and the stage carries on.
 */
export interface LineageEmitter {
    /**
     * Emits `events` under `emissionId`: a deterministic name for what they report (for example
     * `window-2026-12-06T04` or `batch-orders+0+00000000000000000042`), so a replay writes the same
     * lake object. Resolves with the number of transports that failed.
     */
    emit(emissionId: string, events: readonly RunEvent[]): Promise<{ readonly failed: number }>;
}

export interface EmitterOptions {
    /** The lake transport (written under the emission id). */
    readonly lake?: LineageTransport & { sendAs(emissionId: string, events: readonly RunEvent[]): Promise<void> };
    /** Further transports (the HTTP endpoint). */
    readonly others?: readonly LineageTransport[];
    /** Called once per failed transport; must not throw. */
    readonly onFailure: (failure: { readonly transport: string; readonly message: string; readonly error: unknown }) => void;
}

export function createLineageEmitter(options: EmitterOptions): LineageEmitter {
    const others = options.others ?? [];
    return {
        async emit(emissionId, events) {
            if (events.length === 0) {
                return { failed: 0 };
            }
            const attempts: { name: string; run: () => Promise<void> }[] = [
                ...(options.lake ? [{ name: options.lake.name, run: () => options.lake!.sendAs(emissionId, events) }] : []),
                ...others.map((transport) => ({ name: transport.name, run: () => transport.send(events) })),
            ];
            const results = await Promise.allSettled(attempts.map((attempt) => attempt.run()));
            let failed = 0;
            results.forEach((result, index) => {
                if (result.status === "rejected") {
                    failed += 1;
                    try {
                        options.onFailure({ transport: attempts[index]!.name, message: describeError(result.reason), error: result.reason });
                    } catch {
                        // A broken failure hook must not turn a lineage problem into a stage failure.
                    }
                }
            });
            return { failed };
        },
    };
}

/** An emitter that sends nothing (lineage switched off for the stack). */
export const disabledLineageEmitter: LineageEmitter = { emit: async () => ({ failed: 0 }) };
