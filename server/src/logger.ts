import { type DestinationStream, type Logger, pino } from 'pino';
import { requestLogFields } from './http/request-id.ts';

export type { DestinationStream, Logger };

/**
 * Structured JSON logs; pretty in a terminal. Secrets are redacted by path wherever they appear.
 * `destination` (tests: a capture stream the secret scan reads) replaces stdout; it is never pretty.
 */
export function createLogger(
  level: string,
  pretty: boolean,
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    // Lines written while serving a request carry its id (`reqId`, also the X-Request-Id answered).
    mixin: requestLogFields,
    redact: {
      paths: [
        '*.password',
        '*.token',
        '*.secret',
        '*.apiKey',
        'req.headers.cookie',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  };
  if (destination) return pino(options, destination);
  return pino({
    ...options,
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } }
      : {}),
  });
}
