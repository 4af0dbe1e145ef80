import type { RouteVariant } from "../tools/types.js";
import type { Reader } from "./read.js";

/** A prompt or resource: shown while the key exposes every tool it reads, in the key's variant. */
export interface Feature {
  name: string;
  /** The read tools it goes through; it is hidden unless the key exposes all of them. */
  reads: readonly string[];
  /** Shown only to one kind of key (e.g. the agency form of a template). */
  variants?: readonly RouteVariant[];
  register(variant: RouteVariant): { remove(): void };
}

/**
 * Keeps the registered features in step with the key's access, the way the tools are: a
 * feature whose tools are gone is removed, a new one registered, one whose variant changed is
 * registered again (its arguments differ). The SDK sends list_changed for each change when
 * connected; the server debounces them into one.
 */
export function featureSync(features: readonly Feature[], reader: Reader): () => void {
  const registered = new Map<string, { variant: RouteVariant; handle: { remove(): void } }>();
  // The SDK installs the prompts/, resources/ and completion/ handlers (and their capabilities)
  // on the first registration, which it refuses once connected. A key whose access is not read
  // yet has no prompt to show: register each feature once now, before connecting, and take it
  // back, so the handlers exist when /me later allows something.
  for (const feature of features) feature.register(reader.variant()).remove();
  return () => {
    const exposed = reader.exposed();
    const variant = reader.variant();
    const wanted = features.filter(
      (feature) => feature.reads.every((tool) => exposed.has(tool)) && (feature.variants === undefined || feature.variants.includes(variant)),
    );
    const wantedNames = new Set(wanted.map((feature) => feature.name));
    for (const [name, entry] of registered) {
      if (wantedNames.has(name) && entry.variant === variant) continue;
      entry.handle.remove();
      registered.delete(name);
    }
    for (const feature of wanted) {
      if (!registered.has(feature.name)) registered.set(feature.name, { variant, handle: feature.register(variant) });
    }
  };
}
