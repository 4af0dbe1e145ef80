/**
 * The sandbox's route table (§10): one row per path, with the scope, query parameters and
 * handler of each method. "account" rows are the direct routes of a direct user; each gets a
 * nested twin `/clients/{clientId}<path>` for agency keys. `GET /` is served by the server
 * before authentication and is not in this table.
 */
import type { Scope } from "../contract.js";
import type { Handler } from "./context.js";
import { archiveLeadMagnet, createLeadMagnet, getLeadMagnet, listLeadMagnets, updateLeadMagnet } from "./lead-magnets.js";
import { createUploadUrl, deleteMedia } from "./media.js";
import { createPost, deletePost, getPost, listPosts, updatePost } from "./posts.js";
import {
  getClient,
  getLeadMagnetAnalytics,
  getMe,
  getPostEngagement,
  listActivity,
  listClients,
  listLeads,
} from "./reads.js";

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface MethodSpec {
  /** Required scope; null = any valid key (GET /me). */
  scope: Scope | null;
  /** Query parameters the method takes; "page" = limit and offset. */
  query: "none" | "page" | "path";
  /** Whether the method takes a JSON object body. */
  body: boolean;
  handler: Handler;
}

type RouteKind = "global" | "account";

interface RouteRow {
  template: string;
  kind: RouteKind;
  methods: Partial<Record<HttpMethod, MethodSpec>>;
}

const read = (scope: Scope | null, handler: Handler, query: MethodSpec["query"] = "none"): MethodSpec => ({ scope, query, body: false, handler });
const write = (scope: Scope, handler: Handler): MethodSpec => ({ scope, query: "none", body: true, handler });

const ROUTE_ROWS: readonly RouteRow[] = [
  { template: "/me", kind: "global", methods: { GET: read(null, getMe) } },
  { template: "/clients", kind: "global", methods: { GET: read("clients:read", listClients, "page") } },
  { template: "/clients/{clientId}", kind: "global", methods: { GET: read("clients:read", getClient) } },
  {
    template: "/posts",
    kind: "account",
    methods: { GET: read("posts:read", listPosts, "page"), POST: write("posts:write", createPost) },
  },
  {
    template: "/posts/{postId}",
    kind: "account",
    methods: {
      GET: read("posts:read", getPost),
      PATCH: write("posts:write", updatePost),
      DELETE: read("posts:write", deletePost),
    },
  },
  { template: "/posts/{postId}/engagement", kind: "account", methods: { GET: read("analytics:read", getPostEngagement) } },
  {
    template: "/lead-magnets",
    kind: "account",
    methods: { GET: read("lead_magnets:read", listLeadMagnets, "page"), POST: write("lead_magnets:write", createLeadMagnet) },
  },
  {
    template: "/lead-magnets/{leadMagnetId}",
    kind: "account",
    methods: {
      GET: read("lead_magnets:read", getLeadMagnet),
      PATCH: write("lead_magnets:write", updateLeadMagnet),
      DELETE: read("lead_magnets:write", archiveLeadMagnet),
    },
  },
  {
    template: "/lead-magnets/{leadMagnetId}/analytics",
    kind: "account",
    methods: { GET: read("analytics:read", getLeadMagnetAnalytics) },
  },
  { template: "/media/upload-url", kind: "account", methods: { POST: write("media:write", createUploadUrl) } },
  { template: "/media", kind: "account", methods: { DELETE: read("media:write", deleteMedia, "path") } },
  { template: "/leads", kind: "account", methods: { GET: read("leads:read", listLeads, "page") } },
  { template: "/activity", kind: "account", methods: { GET: read("activity:read", listActivity, "page") } },
];

/** Direct path templates of the table, e.g. for tests and the CLI. */
export const ROUTE_TEMPLATES: readonly string[] = ROUTE_ROWS.map((row) => row.template);

type Segment = { literal: string } | { param: string };

export interface CompiledRoute {
  template: string;
  kind: RouteKind;
  /** True for the /clients/{clientId}/… twin of an account route. */
  nested: boolean;
  segments: Segment[];
  paramCount: number;
  methods: Partial<Record<HttpMethod, MethodSpec>>;
  /** The `Allow` header value. */
  allow: string;
}

export interface RouteMatch {
  route: CompiledRoute;
  params: Record<string, string>;
}

const PARAM = /^\{([A-Za-z][A-Za-z0-9]*)\}$/;

function compile(template: string, kind: RouteKind, nested: boolean, methods: RouteRow["methods"]): CompiledRoute {
  const segments: Segment[] = template
    .split("/")
    .slice(1)
    .map((part) => {
      const param = PARAM.exec(part);
      return param?.[1] === undefined ? { literal: part } : { param: param[1] };
    });
  return {
    template,
    kind,
    nested,
    segments,
    paramCount: segments.filter((segment) => "param" in segment).length,
    methods,
    allow: Object.keys(methods).join(", "),
  };
}

function paramNames(template: string): string {
  return template
    .split("/")
    .map((part) => PARAM.exec(part)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort()
    .join(",");
}

const TEMPLATE_SHAPE = /^(\/([A-Za-z0-9._~-]+|\{[A-Za-z][A-Za-z0-9]*\}))+$/;

export class RouteTable {
  private readonly routes: CompiledRoute[];

  /** `renames` maps direct templates to new ones (SandboxOptions.renameRoutes). */
  constructor(renames: Record<string, string> = {}) {
    for (const [from, to] of Object.entries(renames)) {
      if (!ROUTE_TEMPLATES.includes(from)) throw new Error(`renameRoutes: '${from}' is not a sandbox route template (known: ${ROUTE_TEMPLATES.join(", ")})`);
      if (!TEMPLATE_SHAPE.test(to)) throw new Error(`renameRoutes: '${to}' is not a valid path template`);
      if (paramNames(from) !== paramNames(to)) throw new Error(`renameRoutes: '${to}' must use the same parameters as '${from}'`);
    }
    const routes: CompiledRoute[] = [];
    for (const row of ROUTE_ROWS) {
      const template = renames[row.template] ?? row.template;
      routes.push(compile(template, row.kind, false, row.methods));
      if (row.kind === "account") routes.push(compile(`/clients/{clientId}${template}`, row.kind, true, row.methods));
    }
    const seen = new Set<string>();
    for (const route of routes) {
      const shape = route.segments.map((segment) => ("param" in segment ? "{}" : segment.literal)).join("/");
      if (seen.has(shape)) throw new Error(`renameRoutes: two routes would answer '${route.template}'`);
      seen.add(shape);
    }
    // Fewer parameters first, so a literal segment wins over a parameter.
    this.routes = routes.sort((a, b) => a.paramCount - b.paramCount);
  }

  /** Matches a path relative to /api/v1 (no query); parameters are raw segment text. */
  match(path: string): RouteMatch | null {
    const parts = path.split("/");
    const count = parts.length - 1;
    for (const route of this.routes) {
      if (route.segments.length !== count) continue;
      let params: Record<string, string> | null = {};
      for (let index = 0; index < count; index++) {
        const segment = route.segments[index];
        const part = parts[index + 1] ?? "";
        if (segment === undefined) {
          params = null;
          break;
        }
        if ("literal" in segment) {
          if (segment.literal !== part) {
            params = null;
            break;
          }
        } else if (part === "") {
          params = null;
          break;
        } else {
          params[segment.param] = part;
        }
      }
      if (params !== null) return { route, params };
    }
    return null;
  }
}
