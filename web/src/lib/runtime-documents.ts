import { graphql } from '../gql/index.ts';

/** Everything the runtime card shows; the query and the live subscription select the same fields. */
export const RuntimeViewFragment = graphql(`
  fragment RuntimeView on Runtime {
    id
    desiredState
    generation
    openUrl
    progress
    readyAt
    specUpdatedAt
    retentionPolicy
    lastActivityAt
    idleStopAt
    maxAgeStopAt
    stopReason
    profile
    owner {
      id
      username
      status
    }
    status {
      phase
      ready
      failed
      message
      lastError
      upToDate
      conditions {
        type
        status
        reason
        message
        lastTransitionTime
      }
    }
  }
`);

export const RuntimeEventViewFragment = graphql(`
  fragment RuntimeEventView on RuntimeEvent {
    cursor
    seq
    type
    phase
    reason
    message
    progress
    at
  }
`);

export const MyRuntimeDoc = graphql(`
  query MyRuntime {
    myRuntime {
      ... on Runtime {
        ...RuntimeView
        events(last: 8) {
          edges {
            node {
              ...RuntimeEventView
            }
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const RuntimeStatusDoc = graphql(`
  subscription RuntimeStatus($runtimeId: ID!, $after: String) {
    runtimeStatus(runtimeId: $runtimeId, after: $after) {
      ... on RuntimeStatusUpdate {
        cursor
        event {
          ...RuntimeEventView
        }
        runtime {
          ...RuntimeView
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const StartRuntimeDoc = graphql(`
  mutation StartRuntime($id: ID, $profile: String) {
    startRuntime(id: $id, profile: $profile) {
      ... on Runtime {
        ...RuntimeView
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const StopRuntimeDoc = graphql(`
  mutation StopRuntime($id: ID!) {
    stopRuntime(id: $id) {
      ... on Runtime {
        ...RuntimeView
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const RestartRuntimeDoc = graphql(`
  mutation RestartRuntime($id: ID!) {
    restartRuntime(id: $id) {
      ... on Runtime {
        ...RuntimeView
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const DeleteRuntimeDoc = graphql(`
  mutation DeleteRuntime($id: ID!, $retention: RetentionPolicy!) {
    deleteRuntime(id: $id, retention: $retention) {
      ... on Runtime {
        ...RuntimeView
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

/** Every runtime event the viewer may see (admins: all), each with its runtime as it is now. */
export const AllRuntimeEventsDoc = graphql(`
  subscription AllRuntimeEvents($filter: RuntimeEventFilter, $after: String) {
    runtimeEvents(filter: $filter, after: $after) {
      ... on RuntimeEvent {
        ...RuntimeEventView
        runtime {
          ...RuntimeView
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);
