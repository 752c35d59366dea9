import { Migration } from '@mikro-orm/migrations';

/** Model layer: usage ledger, budgets, runtime credentials, route prices/default, grant uniqueness. */
export class Migration20261123224948 extends Migration {
  override name = 'Migration20261123224948';

  override up(): void | Promise<void> {
    this.addSql(`create table "model_usage" ("id" bigserial primary key, "user_id" uuid not null, "runtime_id" uuid null, "route_id" uuid null, "model" varchar(128) not null, "endpoint" varchar(16) not null, "stream" boolean not null default false, "prompt_tokens" int not null default 0, "completion_tokens" int not null default 0, "cost_usd" double precision null, "latency_ms" int not null, "status" smallint not null, "at" timestamptz not null);`);
    this.addSql(`create index "model_usage_at_index" on "model_usage" ("at");`);
    this.addSql(`create index "model_usage_user_id_at_index" on "model_usage" ("user_id", "at");`);

    this.addSql(`create table "runtime_credentials" ("runtime_id" uuid not null, "epoch" int not null, "key_hash" varchar(64) not null, "updated_at" timestamptz not null, primary key ("runtime_id"));`);
    this.addSql(`alter table "runtime_credentials" add constraint "runtime_credentials_key_hash_unique" unique ("key_hash");`);

    this.addSql(`create table "model_budgets" ("id" uuid not null, "user_id" uuid null, "period" text not null default 'month', "token_limit" bigint null, "cost_limit_usd" double precision null, "requests_per_minute" int null, "reset_at" timestamptz null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "model_budgets" add constraint "model_budgets_user_id_unique" unique ("user_id");`);
    this.addSql(`create unique index "model_budgets_default_unique" on "model_budgets" ((1)) where "user_id" is null;`);

    this.addSql(`alter table "model_routes" drop constraint "model_routes_upstream_kind_check";`);
    this.addSql(`alter table "model_routes" add "credential_updated_at" timestamptz null, add "is_default" boolean not null default false, add "input_price_per_mtok" double precision null, add "output_price_per_mtok" double precision null, add "updated_at" timestamptz not null default now();`);
    this.addSql(`alter table "model_routes" alter column "updated_at" drop default;`);
    this.addSql(`update "model_routes" set "upstream_kind" = 'openai-compatible' where "upstream_kind" = 'openai';`);
    this.addSql(`alter table "model_routes" alter column "upstream_kind" set default 'openai-compatible';`);
    this.addSql(`alter table "model_routes" add constraint "model_routes_upstream_kind_check" check ("upstream_kind" in ('openai-compatible', 'litellm', 'vllm', 'ollama'));`);

    this.addSql(`alter table "model_grants" add constraint "model_grants_route_id_user_id_unique" unique ("route_id", "user_id");`);
    this.addSql(`create unique index "model_grants_route_everyone_unique" on "model_grants" ("route_id") where "user_id" is null;`);

    this.addSql(`alter table "runtime_credentials" add constraint "runtime_credentials_runtime_id_foreign" foreign key ("runtime_id") references "runtimes" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "model_budgets" add constraint "model_budgets_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "model_budgets" add constraint "model_budgets_period_check" check ("period" in ('day', 'week', 'month'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "model_usage" cascade;`);
    this.addSql(`drop table if exists "runtime_credentials" cascade;`);
    this.addSql(`drop table if exists "model_budgets" cascade;`);

    this.addSql(`alter table "model_grants" drop constraint "model_grants_route_id_user_id_unique";`);
    this.addSql(`drop index "model_grants_route_everyone_unique";`);

    this.addSql(`alter table "model_routes" drop constraint "model_routes_upstream_kind_check";`);
    this.addSql(`alter table "model_routes" drop column "credential_updated_at", drop column "is_default", drop column "input_price_per_mtok", drop column "output_price_per_mtok", drop column "updated_at";`);
    this.addSql(`alter table "model_routes" alter column "upstream_kind" set default 'openai';`);
    this.addSql(`update "model_routes" set "upstream_kind" = 'openai' where "upstream_kind" = 'openai-compatible';`);
    this.addSql(`alter table "model_routes" add constraint "model_routes_upstream_kind_check" check ("upstream_kind" in ('openai', 'litellm', 'vllm', 'ollama'));`);
  }

}
