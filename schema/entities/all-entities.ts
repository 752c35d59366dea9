import { ApiToken } from './api-token.entity.ts';
import { AuditEvent } from './audit-event.entity.ts';
import { Invitation } from './invitation.entity.ts';
import { ModelBudget } from './model-budget.entity.ts';
import { ModelGrant } from './model-grant.entity.ts';
import { ModelRoute } from './model-route.entity.ts';
import { ModelUsage } from './model-usage.entity.ts';
import { Runtime } from './runtime.entity.ts';
import { RuntimeCredential } from './runtime-credential.entity.ts';
import { RuntimeEvent } from './runtime-event.entity.ts';
import { RuntimeHandoff } from './runtime-handoff.entity.ts';
import { RuntimeProfileEntity } from './runtime-profile.entity.ts';
import { Session } from './session.entity.ts';
import { User } from './user.entity.ts';

/** Every entity, for the ORM config. Import entity classes from their own files. */
export const ALL_ENTITIES = [
  User,
  Session,
  Invitation,
  ApiToken,
  Runtime,
  RuntimeEvent,
  ModelRoute,
  ModelGrant,
  ModelBudget,
  ModelUsage,
  RuntimeCredential,
  AuditEvent,
  RuntimeHandoff,
  RuntimeProfileEntity,
];
