import { graphql } from '../../gql/index.ts';

export const ModelRoutesDoc = graphql(`
  query ModelRoutes {
    modelRoutes {
      ... on QueryModelRoutesSuccess {
        data {
          id name upstreamKind upstreamModel baseUrl enabled visible isDefault hasCredential
          inputPricePerMTok outputPricePerMTok contextWindow maxTokens
          grants { id everyone createdAt user { id username } }
        }
      }
      ... on Error { code message }
    }
  }
`);

export const UpdateRouteDoc = graphql(`
  mutation UpdateModelRoute($id: ID!, $input: UpdateModelRouteInput!) {
    updateModelRoute(id: $id, input: $input) {
      ... on ModelRoute { id enabled visible isDefault }
      ... on Error { code message }
    }
  }
`);

export const DeleteRouteDoc = graphql(`
  mutation DeleteModelRoute($id: ID!) {
    deleteModelRoute(id: $id) {
      ... on MutationDeleteModelRouteSuccess { data }
      ... on Error { code message }
    }
  }
`);

export const GrantDoc = graphql(`
  mutation GrantModelRoute($route: ID!, $user: ID, $everyone: Boolean) {
    grantModelRoute(route: $route, user: $user, everyone: $everyone) {
      ... on ModelGrant { id }
      ... on Error { code message }
    }
  }
`);

export const RevokeGrantDoc = graphql(`
  mutation RevokeModelGrant($id: ID!) {
    revokeModelGrant(id: $id) {
      ... on MutationRevokeModelGrantSuccess { data }
      ... on Error { code message }
    }
  }
`);
