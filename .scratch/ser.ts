import * as pulumi from "@pulumi/pulumi";
import { factory } from "./mod";
(async () => {
  const r = await pulumi.runtime.serializeFunction(() => factory({ n: 3 }), { isFactoryFunction: true, serialize: () => true, exportName: "handler", allowSecrets: true });
  require("fs").writeFileSync("/tmp/ser/__index.js", r.text);
  console.log(r.text.length);
})().catch(e => { console.error(e); process.exit(1); });
