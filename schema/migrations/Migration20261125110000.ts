import { Migration } from '@mikro-orm/migrations';

/**
 * Runtime profiles and limits: admin-defined profiles (with the users allowed to choose a restricted
 * one), the profile copy in each runtime's spec, and a per-user override of the running-runtime limit.
 * Seeds `default` with the values of the built-in DEFAULT_PROFILE (schema/domain/profiles.ts), so
 * existing runtimes, which name it, keep exactly their sizes.
 */
export class Migration20261125110000 extends Migration {
  override name = 'Migration20261125110000';

  override up(): void | Promise<void> {
    this.addSql(`create table "runtime_profiles" ("id" uuid not null, "name" varchar(63) not null, "display_name" varchar(128) not null, "description" text not null default '', "cpu_request" varchar(32) not null, "cpu_limit" varchar(32) not null, "memory_mib" int not null, "heap_mib" int null, "disk_gib" int not null, "openclaw_version" varchar(128) not null default '', "image" varchar(255) not null default '', "terminal" boolean not null default false, "idle_timeout_minutes" int null, "is_default" boolean not null default false, "available_to_all" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "runtime_profiles" add constraint "runtime_profiles_name_unique" unique ("name");`);
    this.addSql(`create unique index "runtime_profiles_default_unique" on "runtime_profiles" ((1)) where "is_default";`);

    this.addSql(`create table "runtime_profile_users" ("profile_id" uuid not null, "user_id" uuid not null, primary key ("profile_id", "user_id"));`);
    this.addSql(`alter table "runtime_profile_users" add constraint "runtime_profile_users_profile_id_foreign" foreign key ("profile_id") references "runtime_profiles" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "runtime_profile_users" add constraint "runtime_profile_users_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "users" add "max_running_runtimes" int null;`);
    this.addSql(`alter table "runtimes" add "profile_spec" jsonb null;`);

    this.addSql(`insert into "runtime_profiles" ("id", "name", "display_name", "description", "cpu_request", "cpu_limit", "memory_mib", "heap_mib", "disk_gib", "openclaw_version", "image", "terminal", "idle_timeout_minutes", "is_default", "available_to_all", "created_at", "updated_at")
      values (gen_random_uuid(), 'default', 'Default', 'The standard runtime: 0.25–2 CPU, 2 GiB memory, 10 GiB workspace.', '250m', '2', 2048, null, 10, '', '', false, null, true, true, now(), now());`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "runtime_profile_users" cascade;`);
    this.addSql(`drop table if exists "runtime_profiles" cascade;`);
    this.addSql(`alter table "users" drop column "max_running_runtimes";`);
    this.addSql(`alter table "runtimes" drop column "profile_spec";`);
  }
}
