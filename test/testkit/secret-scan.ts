import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';

/**
 * Finds known secrets in what a test run produced: log lines, GraphQL and REST responses, error
 * messages, database rows, rendered runtime configs, Kubernetes objects. Register every secret the
 * run creates or handles (`add`), feed every artefact (`collect`), then `assertNoLeaks()`.
 *
 * A secret is looked for raw and in the encodings it would take when carelessly serialised (base64,
 * base64url, URL- and JSON-escaped). Findings never print a secret: the report shows its label and
 * the text around it.
 */
export interface SecretOptions {
  /**
   * Sources where this secret is expected (e.g. the one response that returns a new API token, or
   * a Kubernetes Secret). @default nowhere
   */
  allowedIn?: string | RegExp | ((source: string) => boolean);
}

export interface Finding {
  label: string;
  source: string;
  encoding: string;
  /** Text around the match, the secret itself replaced by `«label»`. */
  context: string;
}

interface Known {
  label: string;
  value: string;
  forms: [encoding: string, text: string][];
  allowed: (source: string) => boolean;
}

/** Shorter values match by chance (and are not secrets worth the name). */
export const MIN_SECRET_LENGTH = 12;

export class SecretScanner {
  private readonly known = new Map<string, Known>();
  private readonly sources: { name: string; text: string }[] = [];

  /** Registers a secret. Re-registering a value widens where it is allowed. */
  add(label: string, value: string, options: SecretOptions = {}): void {
    if (value.length < MIN_SECRET_LENGTH)
      throw new Error(`secret "${label}" is shorter than ${MIN_SECRET_LENGTH} characters`);
    const allowed = matcher(options.allowedIn);
    const existing = this.known.get(value);
    if (existing) {
      const before = existing.allowed;
      existing.allowed = (s) => before(s) || allowed(s);
      return;
    }
    this.known.set(value, { label, value, forms: encodings(value), allowed });
  }

  /** Adds an artefact to scan. Objects are JSON-serialised. */
  collect(source: string, content: unknown): void {
    const text = typeof content === 'string' ? content : JSON.stringify(content);
    if (text) this.sources.push({ name: source, text });
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const { name, text } of this.sources) {
      for (const secret of this.known.values()) {
        if (secret.allowed(name)) continue;
        for (const [encoding, form] of secret.forms) {
          const at = text.indexOf(form);
          if (at === -1) continue;
          const around = text.slice(Math.max(0, at - 60), at + form.length + 60);
          const context = around.split(form).join(`«${secret.label}»`);
          out.push({ label: secret.label, source: name, encoding, context });
          break;
        }
      }
    }
    return out;
  }

  /** Throws a readable report (no secret values) when any registered secret leaked. */
  assertNoLeaks(): void {
    const found = this.findings();
    if (found.length === 0) return;
    const lines = found
      .slice(0, 40)
      .map((f) => `- ${f.label} in ${f.source} (${f.encoding}): …${f.context}…`);
    throw new Error(
      `${found.length} secret leak(s) in ${new Set(found.map((f) => f.source)).size} source(s):\n${lines.join('\n')}`,
    );
  }

  /** What was scanned: for a suite's closing figures. */
  stats(): { secrets: number; sources: number; bytes: number } {
    return {
      secrets: this.known.size,
      sources: this.sources.length,
      bytes: this.sources.reduce((n, s) => n + s.text.length, 0),
    };
  }
}

function matcher(allowed: SecretOptions['allowedIn']): (source: string) => boolean {
  if (allowed === undefined) return () => false;
  if (typeof allowed === 'string') return (s) => s === allowed;
  if (allowed instanceof RegExp) return (s) => allowed.test(s);
  return allowed;
}

function encodings(value: string): [string, string][] {
  const buf = Buffer.from(value, 'utf8');
  const forms: [string, string][] = [
    ['raw', value],
    ['base64', buf.toString('base64').replace(/=+$/, '')],
    ['base64url', buf.toString('base64url')],
    ['url-encoded', encodeURIComponent(value)],
    ['json-escaped', JSON.stringify(value).slice(1, -1)],
  ];
  const seen = new Set<string>();
  return forms.filter(([, f]) => !seen.has(f) && seen.add(f) && f.length >= MIN_SECRET_LENGTH);
}

/** A pino destination that keeps every line, for `startTestServer({ logStream })` and the like. */
export function captureLogs() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    text: () => chunks.join(''),
    /** Parsed JSON lines (non-JSON lines are skipped). */
    lines(): Record<string, unknown>[] {
      return chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        });
    },
  };
}

type Sql = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * Every row of every table in the `public` schema, as JSON text per table (`db:<table>`): secrets
 * must be stored hashed or encrypted, never as given.
 */
export async function databaseText(sql: Sql): Promise<Map<string, string>> {
  const tables = await sql(
    `select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  const out = new Map<string, string>();
  for (const { table_name } of tables) {
    const name = String(table_name);
    const rows = await sql(`select row_to_json(t)::text as j from "${name}" t`);
    out.set(`db:${name}`, rows.map((r) => String(r.j)).join('\n'));
  }
  return out;
}

/**
 * Every file under `dir` (`file:<relative path>`), up to `maxBytes` each. Files a live process
 * removes meanwhile are skipped.
 */
export function directoryText(dir: string, maxBytes = 8 * 1024 * 1024): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      try {
        if (entry.isDirectory()) walk(path);
        else if (entry.isFile() && statSync(path).size <= maxBytes)
          out.set(`file:${relative(dir, path)}`, readFileSync(path, 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  };
  walk(dir);
  return out;
}
