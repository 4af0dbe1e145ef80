import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout; dist/ is built there once by test/global-setup.ts before any test file runs. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = join(ROOT, "dist", "cli.js");
