/**
 * In-memory state of the sandbox. `reset()` rebuilds it from the seed; nothing persists.
 *
 * Lists are kept newest first as arrays of wire-shaped records plus an id index, so a list
 * page is a slice and a lookup is one Map get.
 */
import { buildSeed, type SandboxScale } from "./seed.js";
import type {
  ActivityItem,
  GrantRecord,
  KeyRecord,
  Lead,
  LeadMagnet,
  LeadMagnetStats,
  Post,
  UserProfile,
} from "./records.js";

export interface AccountState {
  profile: UserProfile;
  posts: Post[];
  postById: Map<string, Post>;
  /** Active lead magnets only; archived ones move to `archivedLeadMagnets`. */
  leadMagnets: LeadMagnet[];
  leadMagnetById: Map<string, LeadMagnet>;
  archivedLeadMagnets: Map<string, LeadMagnet>;
  leadMagnetStats: Map<string, LeadMagnetStats>;
  leads: Lead[];
  activity: ActivityItem[];
}

/**
 * Read-only view of every seeded (and since created) record, for tests to pick IDs from,
 * e.g. `store.postsOf(DEMO.users.direct).find((p) => p.status === "publishing")`.
 *
 * Accounts with data: DEMO.users.direct and the three DEMO.clients (the agency itself has
 * none). Each `…Of(userId)` returns a fresh array, newest first, of the live records:
 * read them, do not mutate them. An unknown account id throws.
 */
export interface SandboxStore {
  /** User ids of the accounts that hold data (direct user and clients). */
  accountUserIds(): string[];
  user(userId: string): Readonly<UserProfile> | undefined;
  postsOf(userId: string): ReadonlyArray<Readonly<Post>>;
  /** Active (not archived) lead magnets. */
  leadMagnetsOf(userId: string): ReadonlyArray<Readonly<LeadMagnet>>;
  archivedLeadMagnetsOf(userId: string): ReadonlyArray<Readonly<LeadMagnet>>;
  leadsOf(userId: string): ReadonlyArray<Readonly<Lead>>;
  activityOf(userId: string): ReadonlyArray<Readonly<ActivityItem>>;
  /** Seeded theme ids → names (posts may use any UUID as theme_id; unknown ones have name null). */
  themes(): ReadonlyMap<string, string>;
}

export class StoreState implements SandboxStore {
  private accounts = new Map<string, AccountState>();
  private users = new Map<string, UserProfile>();
  private keys = new Map<string, KeyRecord>();
  private grants: GrantRecord[] = [];
  private themeNames = new Map<string, string>();

  constructor(
    private readonly clock: () => Date,
    private readonly scale: SandboxScale = "small",
  ) {
    this.reset();
  }

  reset(): void {
    const seed = buildSeed(this.clock().getTime(), this.scale);
    this.users = new Map(seed.users.map((user) => [user.user_id, user]));
    this.keys = new Map(seed.keys.map((key) => [key.key, key]));
    this.grants = seed.grants;
    this.themeNames = seed.themes;
    this.accounts = new Map(
      seed.accounts.map((account) => [
        account.profile.user_id,
        {
          profile: account.profile,
          posts: account.posts,
          postById: new Map(account.posts.map((post) => [post.id, post])),
          leadMagnets: account.leadMagnets,
          leadMagnetById: new Map(account.leadMagnets.map((magnet) => [magnet.id, magnet])),
          archivedLeadMagnets: new Map(),
          leadMagnetStats: account.leadMagnetStats,
          leads: account.leads,
          activity: account.activity,
        },
      ]),
    );
  }

  // --- used by the route handlers -----------------------------------------------------

  account(userId: string): AccountState | undefined {
    return this.accounts.get(userId);
  }

  keyRecord(key: string): KeyRecord | undefined {
    return this.keys.get(key);
  }

  keyRecords(): KeyRecord[] {
    return [...this.keys.values()];
  }

  grantsOfAgency(agencyUserId: string): GrantRecord[] {
    return this.grants.filter((record) => record.agencyUserId === agencyUserId);
  }

  grantFor(agencyUserId: string, clientUserId: string): GrantRecord | undefined {
    return this.grants.find((record) => record.agencyUserId === agencyUserId && record.clientUserId === clientUserId);
  }

  /** Grants of any agency on this client (the sandbox has one agency). */
  grantsOnClient(clientUserId: string): GrantRecord[] {
    return this.grants.filter((record) => record.clientUserId === clientUserId);
  }

  themeName(themeId: string): string | null {
    return this.themeNames.get(themeId) ?? null;
  }

  // --- SandboxStore (read-only view) ----------------------------------------------------

  accountUserIds(): string[] {
    return [...this.accounts.keys()];
  }

  user(userId: string): Readonly<UserProfile> | undefined {
    return this.users.get(userId);
  }

  postsOf(userId: string): ReadonlyArray<Readonly<Post>> {
    return [...this.requireAccount(userId).posts];
  }

  leadMagnetsOf(userId: string): ReadonlyArray<Readonly<LeadMagnet>> {
    return [...this.requireAccount(userId).leadMagnets];
  }

  archivedLeadMagnetsOf(userId: string): ReadonlyArray<Readonly<LeadMagnet>> {
    return [...this.requireAccount(userId).archivedLeadMagnets.values()];
  }

  leadsOf(userId: string): ReadonlyArray<Readonly<Lead>> {
    return [...this.requireAccount(userId).leads];
  }

  activityOf(userId: string): ReadonlyArray<Readonly<ActivityItem>> {
    return [...this.requireAccount(userId).activity];
  }

  /** The account's lead records themselves (not copies): see Sandbox.records. */
  liveLeads(userId: string): Lead[] {
    return [...this.requireAccount(userId).leads];
  }

  liveActivity(userId: string): ActivityItem[] {
    return [...this.requireAccount(userId).activity];
  }

  themes(): ReadonlyMap<string, string> {
    return new Map(this.themeNames);
  }

  private requireAccount(userId: string): AccountState {
    const account = this.accounts.get(userId);
    if (account === undefined) throw new Error(`sandbox store: no account with user id ${userId}`);
    return account;
  }
}
