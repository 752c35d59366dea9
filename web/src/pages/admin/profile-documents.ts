import { graphql } from '../../gql/index.ts';

export const ProfileViewFragment = graphql(`
  fragment ProfileView on RuntimeProfile {
    id name displayName description cpuRequest cpuLimit memoryMiB heapMiB effectiveHeapMiB diskGiB
    openclawVersion image terminal idleTimeoutMinutes isDefault availableToAll runtimeCount
    allowedUsers { id username }
  }
`);

export const AdminProfilesDoc = graphql(`
  query AdminRuntimeProfiles {
    runtimeProfiles {
      ... on QueryRuntimeProfilesSuccess { data { ...ProfileView } }
      ... on Error { code message }
    }
    runtimeLimits {
      ... on QueryRuntimeLimitsSuccess { data { maxRunning maxRunningPerUser running } }
      ... on Error { code message }
    }
  }
`);

export const CreateProfileDoc = graphql(`
  mutation CreateRuntimeProfile($input: CreateRuntimeProfileInput!) {
    createRuntimeProfile(input: $input) {
      ... on RuntimeProfile { id name }
      ... on Error { code message }
      ... on InvalidInputError { fieldErrors { path message } }
    }
  }
`);

export const UpdateProfileDoc = graphql(`
  mutation UpdateRuntimeProfile($id: ID!, $input: UpdateRuntimeProfileInput!) {
    updateRuntimeProfile(id: $id, input: $input) {
      ... on RuntimeProfile { ...ProfileView }
      ... on Error { code message }
      ... on InvalidInputError { fieldErrors { path message } }
    }
  }
`);

export const DeleteProfileDoc = graphql(`
  mutation DeleteRuntimeProfile($id: ID!) {
    deleteRuntimeProfile(id: $id) {
      ... on MutationDeleteRuntimeProfileSuccess { data }
      ... on Error { code message }
    }
  }
`);
