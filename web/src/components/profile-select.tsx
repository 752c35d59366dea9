import { useQuery } from 'urql';
import { graphql } from '../gql/index.ts';
import { Select } from './field.tsx';

const ChoosableProfilesDoc = graphql(`
  query ChoosableProfiles {
    runtimeProfiles {
      ... on QueryRuntimeProfilesSuccess {
        data { id name displayName description cpuLimit memoryMiB diskGiB isDefault }
      }
      ... on Error { code message }
    }
  }
`);

const gib = (mib: number) => `${Math.round((mib / 1024) * 10) / 10} GiB`;

/**
 * The runtime profiles the viewer may choose. `value` null means "the current one" (a new runtime:
 * the default). Renders nothing while there is no choice to make (one profile, or not loaded).
 */
export function ProfileSelect({
  value,
  onChange,
  label = 'Profile',
}: {
  value: string | null;
  onChange(name: string): void;
  label?: string;
}) {
  const [{ data }] = useQuery({ query: ChoosableProfilesDoc });
  const result = data?.runtimeProfiles;
  const profiles = result?.__typename === 'QueryRuntimeProfilesSuccess' ? result.data : [];
  if (profiles.length < 2) return null;
  const selected = value ?? profiles.find((p) => p.isDefault)?.name ?? profiles[0]?.name ?? '';
  const options = profiles.map(
    (p) =>
      [
        p.name,
        `${p.displayName} — up to ${p.cpuLimit} CPU, ${gib(p.memoryMiB)} memory, ${p.diskGiB} GiB disk`,
      ] as const,
  );
  const description = profiles.find((p) => p.name === selected)?.description;
  return (
    <div className="profile-select">
      <Select
        label={label}
        options={options}
        value={selected}
        onChange={(e) => onChange(e.target.value)}
      />
      {description && <p className="hint">{description}</p>}
    </div>
  );
}
