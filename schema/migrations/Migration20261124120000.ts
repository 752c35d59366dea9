import { Migration } from '@mikro-orm/migrations';

/** Runtime login hand-off: ids of redeemed tokens, so a replay fails in every server process. */
export class Migration20261124120000 extends Migration {
  override name = 'Migration20261124120000';

  override up(): void | Promise<void> {
    this.addSql(`create table "runtime_handoffs" ("jti" varchar(64) not null, "expires_at" timestamptz not null, primary key ("jti"));`);
    this.addSql(`create index "runtime_handoffs_expires_at_index" on "runtime_handoffs" ("expires_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "runtime_handoffs" cascade;`);
  }
}
