import type * as aws from "@pulumi/aws";
import { readNumber, readString } from "../inputs";
import { AnyRule, costRule, fixed, monthlyHours, priced, usage } from "./rule";

/**
 * Amazon MWAA: the environment hour of its class (it includes the base worker, two schedulers and
 * the web servers of the class; mw1.micro one combined scheduler/worker and one web server), the
 * always-on workers above one (minWorkers - 1), the workers autoscaling adds on average, schedulers
 * and web servers above the included ones, and the meta database's storage.
 */
export const mwaaEnvironment = costRule<aws.mwaa.EnvironmentArgs>({
    type: "aws:mwaa/environment:Environment",
    usage: {
        averageScaledWorkers: { unit: "workers", description: "Workers autoscaling runs above minWorkers, averaged over the month. Defaults to 0." },
        metaDatabaseGb: { unit: "GB", description: "Size of the Airflow meta database (task history, XComs)." },
    },
    price(props, _resource, ctx) {
        const environmentClass = readString(props.environmentClass, "environmentClass", "mw1.small");
        const micro = environmentClass === "mw1.micro";
        const minWorkers = readNumber(props.minWorkers, "minWorkers", 1);
        const schedulers = readNumber(props.schedulers, "schedulers", micro ? 1 : 2);
        const webservers = readNumber(props.minWebservers, "minWebservers", micro ? 1 : 2);
        const scaled = ctx.usage("averageScaledWorkers") ?? 0;
        const storage = ctx.usage("metaDatabaseGb");
        const components = [fixed(ctx, `Environment (${environmentClass})`, `mwaa.environment.${environmentClass}.hour`, monthlyHours(ctx, 1))];
        // mw1.micro cannot add workers, schedulers or web servers (the config refuses them).
        if (!micro) {
            components.push(
                fixed(ctx, "Additional workers (always on)", `mwaa.worker.${environmentClass}.hour`, monthlyHours(ctx, Math.max(0, minWorkers - 1))),
                usage(ctx, "Additional workers (autoscaled)", `mwaa.worker.${environmentClass}.hour`, scaled * ctx.hours),
                fixed(ctx, "Additional schedulers", `mwaa.scheduler.${environmentClass}.hour`, monthlyHours(ctx, Math.max(0, schedulers - 2))),
                fixed(ctx, "Additional web servers", `mwaa.webserver.${environmentClass}.hour`, monthlyHours(ctx, Math.max(0, webservers - 2))),
            );
        }
        components.push(usage(ctx, "Meta database storage", "mwaa.metaDatabase.gbMonth", storage));
        return priced(components);
    },
});

export const orchestrationRules: readonly AnyRule[] = [mwaaEnvironment];
