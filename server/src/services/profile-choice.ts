import type { SqlRunner } from '../../../schema/db/runtime-events.ts';
import type { RuntimeProfile } from '../../../schema/domain/profiles.ts';
import { NotFoundError, ProfileNotAllowedError } from '../graphql/errors.ts';
import { type ProfileValues, profileSnapshot } from './profile-rules.ts';

/** A profile chosen for a start: its name (the runtime's `profile`) and the copy for its spec. */
export interface ChosenProfile {
  name: string;
  spec: RuntimeProfile;
}

/** The runtime's owner, as the permission check needs it. */
export interface ProfileOwner {
  id: string;
  username: string;
  role: string;
  /** The owner is the one asking (changes the wording of a refusal). */
  isViewer: boolean;
}

/**
 * Snapshot decision: the server copies the chosen profile into the runtime's spec at each start and
 * restart, and the orchestrator renders only that copy — it never reads `runtime_profiles`. So an
 * admin's edit reaches a runtime when it next (re)starts, never by rolling a user's running agent
 * behind their back (JupyterHub applies a profile at spawn, Coder pins a workspace to a template
 * version until it is updated); the orchestrator needs one row per reconcile, as before; and a
 * running runtime does not depend on its profile row staying as it was.
 *
 * Resolves `name` (null: the default profile) for `owner` and checks they may use it: admins may use
 * every profile, users those available to all or listing them. The row is read `for share`, so a
 * concurrent delete (which locks it `for update`, then counts its users) cannot slip in between.
 */
export async function chooseProfile(
  run: SqlRunner,
  owner: ProfileOwner,
  name: string | null,
): Promise<ChosenProfile> {
  const [row] = await run(
    `select p.*, (p.available_to_all or exists (select 1 from runtime_profile_users pu
                   where pu.profile_id = p.id and pu.user_id = ?)) as allowed
       from runtime_profiles p where ${name === null ? 'p.is_default' : 'p.name = ?'} for share of p`,
    name === null ? [owner.id] : [owner.id, name],
  );
  if (!row) {
    if (name === null) throw new Error('no default runtime profile (the migration seeds one)');
    throw new NotFoundError(`Runtime profile "${name}"`);
  }
  const values = profileValuesFromRow(row);
  if (!row.allowed && owner.role !== 'admin') {
    const who = owner.isViewer ? 'You are' : `${owner.username} is`;
    throw new ProfileNotAllowedError(
      values.name,
      `${who} not allowed to use the runtime profile "${values.displayName}". Choose another profile.`,
    );
  }
  return { name: values.name, spec: profileSnapshot(values) };
}

function profileValuesFromRow(r: Record<string, unknown>): ProfileValues {
  const intOrNull = (v: unknown) => (v == null ? null : Number(v));
  return {
    name: String(r.name),
    displayName: String(r.display_name),
    description: String(r.description ?? ''),
    cpuRequest: String(r.cpu_request),
    cpuLimit: String(r.cpu_limit),
    memoryMiB: Number(r.memory_mib),
    heapMiB: intOrNull(r.heap_mib),
    diskGiB: Number(r.disk_gib),
    openclawVersion: String(r.openclaw_version ?? ''),
    image: String(r.image ?? ''),
    terminal: Boolean(r.terminal),
    idleTimeoutMinutes: intOrNull(r.idle_timeout_minutes),
    isDefault: Boolean(r.is_default),
    availableToAll: Boolean(r.available_to_all),
  };
}
