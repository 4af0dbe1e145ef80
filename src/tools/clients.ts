import { shapeClient } from "../safety/redact.js";
import { FILTER_COST, pagedList } from "./list.js";
import { defineTool, type ResultShaper } from "./types.js";

/** Client accounts: what an agency key may work on. The grant's strings come from the client's side. */
const clientShaper: ResultShaper = { record: (client, settings) => shapeClient(client, settings.activityContent) };

export const CLIENT_TOOLS = [
  defineTool({
    name: "list_clients",
    title: "List client accounts",
    description:
      `Client accounts this agency key can work on, with their grants (none for a direct key). A user_id is the client_id of other tools. ${FILTER_COST}`,
    method: "GET",
    directPath: "/clients",
    requires: { kind: "scope", scope: "clients:read" },
    toolset: "clients",
    provenance: "stated",
    ...pagedList("clients"),
    noun: "client",
    shape: clientShaper,
  }),
  defineTool({
    name: "get_client",
    title: "Get a client account",
    description: "One client account and the agency's grant for it (status, permissions).",
    method: "GET",
    directPath: "/clients/{clientId}",
    requires: { kind: "scope", scope: "clients:read" },
    toolset: "clients",
    provenance: "stated",
    // client_id is added by inputSchemaFor (the path needs it) and filled in when pinned.
    inputShape: {},
    request: { pathParams: { client_id: "clientId" } },
    effect: "read",
    idempotent: true,
    list: false,
    noun: "client",
    probeFrom: "list_clients",
    shape: clientShaper,
    hints: {
      notFound: ({ access }) =>
        access.status === "ready" && access.identity.actorType === "direct_user"
          ? "This key is a direct key: it acts on its own account and has no client accounts (list_clients lists none). Client tools are for agency keys."
          : "A 404 here does not prove the client is missing: use a user_id exactly as list_clients returns it.",
    },
  }),
];
