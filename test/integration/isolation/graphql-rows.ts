import { MUTATION_ROWS } from './mutation-rows.ts';
import { QUERY_ROWS, SUBSCRIPTION_ROWS } from './query-rows.ts';
import type { GraphqlRow } from './row-kit.ts';

/** Every row of the GraphQL part of the matrix: queries, mutations, subscriptions. */
export const GRAPHQL_ROWS: GraphqlRow[] = [...QUERY_ROWS, ...MUTATION_ROWS, ...SUBSCRIPTION_ROWS];
