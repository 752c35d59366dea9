import { type DestinationStream, type Logger, pino } from 'pino';

export type { DestinationStream, Logger };

/** `destination` (tests: a capture stream the secret scan reads) replaces stdout; it is never pretty. */
export function createLogger(
  level: string,
  pretty: boolean,
  destination?: DestinationStream,
): Logger {
  const options = {
    name: 'orchestrator',
    level,
  };
  if (destination) return pino(options, destination);
  return pino({
    ...options,
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } }
      : {}),
  });
}
