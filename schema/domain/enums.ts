/** Values shared by the database, the GraphQL API and the orchestrator. Declared once, here. */

export const USER_ROLES = ['admin', 'user'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const USER_STATUSES = ['active', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const INVITATION_STATUSES = ['pending', 'consumed', 'revoked'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** What the owner (or an admin) wants. Written only by the server. */
export const DESIRED_STATES = ['running', 'stopped', 'deleted'] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

/** What happens to the workspace volume when a runtime is deleted. */
export const RETENTION_POLICIES = ['preserve', 'wipe'] as const;
export type RetentionPolicy = (typeof RETENTION_POLICIES)[number];

/**
 * What the orchestrator last observed. Written only by the orchestrator; always derived from what the
 * driver saw, never from what was merely requested.
 */
export const RUNTIME_PHASES = [
  'Pending',
  'Starting',
  'Running',
  'Stopping',
  'Stopped',
  'Failed',
  'Deleting',
  'Deleted',
] as const;
export type RuntimePhase = (typeof RUNTIME_PHASES)[number];

export const API_TOKEN_SCOPES = [
  'runtime:read',
  'runtime:write',
  'users:read',
  'users:write',
  'models:read',
  'audit:read',
] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

export const AUDIT_RESULTS = ['ok', 'denied', 'error'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/** How the credential proxy talks to a model route's upstream (see server/src/model-proxy/upstream.ts). */
export const UPSTREAM_KINDS = ['openai-compatible', 'litellm', 'vllm', 'ollama'] as const;
export type UpstreamKind = (typeof UPSTREAM_KINDS)[number];

/** Budget windows; each starts at a UTC calendar boundary (see domain/budget-period.ts). */
export const BUDGET_PERIODS = ['day', 'week', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];
