// Builds static/vendor/plotly/ (`make plotly`): our plotly.js bundle, minified, and plotly.js's own zh-CN locale.
// esbuild with the settings of plotly.js's own build (its esbuild-config.js), less the plugins that only its
// WebGL and map traces need.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const vendor = join(here, "..", "static", "vendor", "plotly");
const plotlyRoot = dirname(require.resolve("plotly.js/package.json"));
const { version } = JSON.parse(readFileSync(join(plotlyRoot, "package.json"), "utf8"));

const bundle = join(vendor, "plotly-basic.min.js");
await esbuild.build({
  entryPoints: [join(here, "src", "plotly.js")],
  outfile: bundle,
  format: "iife",
  globalName: "Plotly",
  bundle: true,
  minify: true,
  legalComments: "none",
  // The same output for the same sources, so that a rebuild without changes leaves git clean.
  sourcemap: false,
  target: "es2016",
  define: { global: "window", "define.amd": "false" },
  // The one stylesheet plotly.js's sources require is maplibre's, for map traces this bundle leaves out.
  loader: { ".css": "empty" },
  banner: {
    js: `/* plotly.js v${version} (MIT, Plotly, Inc.): core (scatter), bar and pie; built by frontend/build.mjs. */`,
  },
  logLevel: "warning",
});
copyFileSync(join(plotlyRoot, "dist", "plotly-locale-zh-cn.js"), join(vendor, "plotly-locale-zh-cn.js"));
copyFileSync(join(plotlyRoot, "LICENSE"), join(vendor, "LICENSE"));

const built = readFileSync(bundle);
console.log(
  `${bundle}: plotly.js ${version}, ${built.length.toLocaleString("en")} bytes, ` +
    `${gzipSync(built, { level: 9 }).length.toLocaleString("en")} gzipped`,
);
