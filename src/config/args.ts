/**
 * Command line and environment → one raw string per setting, with where it came from (the
 * flag or the variable: every refusal names it). `node:util` parseArgs splits the arguments;
 * the refusals are ours, so every message names the option and what it accepts.
 */
import { parseArgs } from "node:util";
import { BOOLEAN_WORDS, ConfigError, SETTINGS, type Command, type SettingName, type SettingSpec } from "./settings.js";

export interface RawSetting {
  value: string;
  /** The flag or environment variable the value came from. */
  source: string;
}

export type RawSettings = Partial<Record<SettingName, RawSetting>>;

const COMMANDS: ReadonlySet<string> = new Set(["serve", "sandbox", "doctor", "help"]);
const SECRET_FLAGS: Readonly<Record<string, string>> = {
  "--api-key": SETTINGS.apiKey.env,
  "--mcp-token": SETTINGS.mcpToken.env,
};

const ENTRIES = Object.entries(SETTINGS) as Array<[SettingName, SettingSpec]>;
const BY_FLAG = new Map<string, SettingName>(ENTRIES.filter(([, spec]) => spec.flag !== "").map(([name, spec]) => [spec.flag, name]));
const YES_NO_FLAGS: ReadonlySet<string> = new Set(ENTRIES.filter(([, spec]) => spec.boolean === true).map(([, spec]) => spec.flag));
/** Yes/no flags take no value from the next word; `--read-only=false` still reaches the yes/no check. */
const OPTIONS = Object.fromEntries(
  ENTRIES.filter(([, spec]) => spec.flag !== "").map(([, spec]) => [spec.flag.slice(2), { type: spec.boolean ? ("boolean" as const) : ("string" as const) }]),
);

export function collectRaw(argv: readonly string[], env: NodeJS.ProcessEnv): { command: Command; raw: RawSettings; rest: string[] } {
  const raw: RawSettings = {};
  for (const [name, spec] of ENTRIES) {
    const value = spec.env ? env[spec.env] : undefined;
    if (value !== undefined && value !== "") raw[name] = { value, source: spec.env };
  }

  const first = argv[0];
  if (first === "--help" || first === "-h") return { command: "help", raw, rest: [] };
  if (first === "--version" || first === "-v") return { command: "version", raw, rest: [] };
  const command: Command = first !== undefined && COMMANDS.has(first) ? (first as Command) : "serve";
  const args = command === "serve" && first !== "serve" ? argv : argv.slice(1);
  // The sandbox has its own small parser (src/sandbox/cli.ts); hand it everything.
  if (command === "sandbox") return { command, raw, rest: [...args] };

  const { tokens } = parseArgs({
    args: [...args],
    options: { ...OPTIONS, help: { type: "boolean", short: "h" } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index];
    if (token === undefined || token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      // `--read-only false`: the word is the flag's intended value, which only `=` can give it.
      const previous = tokens[index - 1];
      const yesNoWord = BOOLEAN_WORDS[token.value.trim().toLowerCase()] !== undefined;
      if (yesNoWord && previous?.kind === "option" && previous.inlineValue !== true && YES_NO_FLAGS.has(previous.rawName)) {
        throw new ConfigError(
          previous.rawName,
          `a yes/no flag takes its value after "=": write ${previous.rawName}=${token.value} (alone, ${previous.rawName} means true).`,
        );
      }
      throw unknownOption(token.value);
    }
    if (token.name === "help") return { command: "help", raw, rest: [] };
    const name = BY_FLAG.get(token.rawName);
    if (name === undefined) {
      const secretEnv = SECRET_FLAGS[token.rawName];
      if (secretEnv !== undefined) {
        throw new ConfigError(
          token.rawName,
          `secrets are not accepted on the command line (other users of this machine can read process arguments). Set ${secretEnv} in the environment instead.`,
        );
      }
      throw unknownOption(args[token.index] ?? token.rawName);
    }
    const spec: SettingSpec = SETTINGS[name];
    let value: string;
    if (token.inlineValue === true) {
      value = token.value ?? "";
    } else if (spec.boolean) {
      value = "true";
    } else if (token.value === undefined || token.value.startsWith("--")) {
      throw new ConfigError(token.rawName, `needs a value: ${spec.accepted}.`);
    } else {
      value = token.value;
    }
    // Which of two different values was meant cannot be guessed (a wrapper adding its own, say).
    const earlier = raw[name];
    if (earlier !== undefined && earlier.source === token.rawName && earlier.value !== value) {
      throw new ConfigError(token.rawName, `given twice, "${earlier.value}" and "${value}". Give it once.`);
    }
    raw[name] = { value, source: token.rawName };
  }
  return { command, raw, rest: [] };
}

function unknownOption(arg: string): ConfigError {
  return new ConfigError(arg, `unknown option. Accepted options: ${[...BY_FLAG.keys()].join(", ")}. Run \`leadpanther-mcp --help\` for details.`);
}
