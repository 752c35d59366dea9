import { Migration } from '@mikro-orm/migrations';

/** Why a runtime was asked to stop (`Idle`, `MaxAge`, `StopRequested`, `OwnerDisabled`): a spec column. */
export class Migration20261125100000 extends Migration {
  override name = 'Migration20261125100000';

  override up(): void | Promise<void> {
    this.addSql(`alter table "runtimes" add column "stop_reason" varchar(32) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "runtimes" drop column "stop_reason";`);
  }
}
