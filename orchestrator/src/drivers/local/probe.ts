/**
 * `/startupz` decides readiness (upstream's advice for traffic admission). Unknown paths answer 200
 * with the Control UI's HTML, so only a JSON body with `ok: true` counts.
 */
export type ProbeResult = 'ready' | 'not-ready';

export function isStartupOk(status: number, body: string): boolean {
  if (status !== 200) return false;
  try {
    const parsed: unknown = JSON.parse(body);
    return (
      typeof parsed === 'object' && parsed !== null && (parsed as { ok?: unknown }).ok === true
    );
  } catch {
    return false;
  }
}

export async function probeStartup(port: number, timeoutMs = 2000): Promise<ProbeResult> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/startupz`, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
    const body = await response.text();
    return isStartupOk(response.status, body) ? 'ready' : 'not-ready';
  } catch {
    return 'not-ready';
  }
}
