import { Migration } from '@mikro-orm/migrations';

export class Migration20261123215744 extends Migration {
  override name = 'Migration20261123215744';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "audit_events" ("id" bigserial primary key, "actor_id" uuid null, "actor_label" varchar(64) not null, "action" varchar(64) not null, "target_type" varchar(32) null, "target_id" varchar(64) null, "result" text not null, "ip" varchar(64) null, "detail" jsonb null, "at" timestamptz not null);`,
    );
    this.addSql(`create index "audit_events_actor_id_index" on "audit_events" ("actor_id");`);
    this.addSql(`create index "audit_events_action_index" on "audit_events" ("action");`);
    this.addSql(`create index "audit_events_at_index" on "audit_events" ("at");`);
    this.addSql(
      `alter table "audit_events" add constraint "audit_events_result_check" check ("result" in ('ok', 'denied', 'error'));`,
    );

    this.addSql(
      `create table "model_routes" ("id" uuid not null, "name" varchar(128) not null, "upstream_kind" text not null default 'openai', "base_url" varchar(512) not null, "upstream_model" varchar(256) not null, "credential_ciphertext" text null, "enabled" boolean not null default true, "visible" boolean not null default true, "context_window" int null, "max_tokens" int null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "model_routes" add constraint "model_routes_name_unique" unique ("name");`,
    );
    this.addSql(
      `alter table "model_routes" add constraint "model_routes_upstream_kind_check" check ("upstream_kind" in ('openai', 'litellm', 'vllm', 'ollama'));`,
    );

    this.addSql(
      `create table "users" ("id" uuid not null, "username" varchar(64) not null, "username_key" varchar(64) not null, "email" varchar(254) null, "role" text not null default 'user', "status" text not null default 'active', "must_change_password" boolean not null default false, "password_hash" text null, "last_login_at" timestamptz null, "last_activity_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "users" add constraint "users_username_key_unique" unique ("username_key");`,
    );
    this.addSql(
      `alter table "users" add constraint "users_role_check" check ("role" in ('admin', 'user'));`,
    );
    this.addSql(
      `alter table "users" add constraint "users_status_check" check ("status" in ('active', 'disabled'));`,
    );

    this.addSql(
      `create table "sessions" ("id" uuid not null, "secret_hash" varchar(64) not null, "user_id" uuid not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "user_agent" varchar(512) null, "ip" varchar(64) null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "sessions" add constraint "sessions_secret_hash_unique" unique ("secret_hash");`,
    );
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);

    this.addSql(
      `create table "runtimes" ("id" uuid not null, "owner_id" uuid not null, "created_at" timestamptz not null, "desired_state" text not null default 'stopped', "generation" int not null default 1, "retention_policy" text not null default 'preserve', "profile" varchar(63) not null default 'default', "runtime_version" varchar(128) not null default '', "restart_nonce" int not null default 0, "spec_updated_at" timestamptz not null, "phase" text not null default 'Pending', "conditions" jsonb not null default '[]', "observed_generation" int not null default 0, "last_error" text null, "endpoint" varchar(512) null, "ready_at" timestamptz null, "last_activity_at" timestamptz null, "status_updated_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "runtimes_owner_id_index" on "runtimes" ("owner_id");`);
    this.addSql(`create index "runtimes_phase_index" on "runtimes" ("phase");`);
    this.addSql(
      `alter table "runtimes" add constraint "runtimes_desired_state_check" check ("desired_state" in ('running', 'stopped', 'deleted'));`,
    );
    this.addSql(
      `alter table "runtimes" add constraint "runtimes_retention_policy_check" check ("retention_policy" in ('preserve', 'wipe'));`,
    );
    this.addSql(
      `alter table "runtimes" add constraint "runtimes_phase_check" check ("phase" in ('Pending', 'Starting', 'Running', 'Stopping', 'Stopped', 'Failed', 'Deleting', 'Deleted'));`,
    );

    this.addSql(
      `create table "runtime_events" ("id" bigserial primary key, "runtime_id" uuid not null, "seq" int not null, "type" varchar(32) not null, "phase" text not null, "reason" varchar(64) not null default '', "message" text not null default '', "progress" int null, "actor_id" uuid null, "at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "runtime_events" add constraint "runtime_events_runtime_id_seq_unique" unique ("runtime_id", "seq");`,
    );
    this.addSql(
      `alter table "runtime_events" add constraint "runtime_events_phase_check" check ("phase" in ('Pending', 'Starting', 'Running', 'Stopping', 'Stopped', 'Failed', 'Deleting', 'Deleted'));`,
    );

    this.addSql(
      `create table "model_grants" ("id" uuid not null, "route_id" uuid not null, "user_id" uuid null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "model_grants_route_id_index" on "model_grants" ("route_id");`);
    this.addSql(`create index "model_grants_user_id_index" on "model_grants" ("user_id");`);

    this.addSql(
      `create table "invitations" ("id" uuid not null, "token_hash" varchar(64) not null, "username_lock" varchar(64) null, "email" varchar(254) null, "role" text not null default 'user', "status" text not null default 'pending', "expires_at" timestamptz not null, "created_by_id" uuid null, "consumed_by_id" uuid null, "consumed_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "invitations" add constraint "invitations_token_hash_unique" unique ("token_hash");`,
    );
    this.addSql(
      `alter table "invitations" add constraint "invitations_role_check" check ("role" in ('admin', 'user'));`,
    );
    this.addSql(
      `alter table "invitations" add constraint "invitations_status_check" check ("status" in ('pending', 'consumed', 'revoked'));`,
    );

    this.addSql(
      `create table "api_tokens" ("id" uuid not null, "name" varchar(100) not null, "secret_hash" varchar(64) not null, "owner_id" uuid not null, "scopes" jsonb not null, "expires_at" timestamptz null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "api_tokens" add constraint "api_tokens_secret_hash_unique" unique ("secret_hash");`,
    );
    this.addSql(`create index "api_tokens_owner_id_index" on "api_tokens" ("owner_id");`);

    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "runtimes" add constraint "runtimes_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "runtime_events" add constraint "runtime_events_runtime_id_foreign" foreign key ("runtime_id") references "runtimes" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "model_grants" add constraint "model_grants_route_id_foreign" foreign key ("route_id") references "model_routes" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "model_grants" add constraint "model_grants_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "invitations" add constraint "invitations_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "invitations" add constraint "invitations_consumed_by_id_foreign" foreign key ("consumed_by_id") references "users" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "api_tokens" add constraint "api_tokens_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete cascade;`,
    );
  }
}
