import { describe, expect, it } from 'vitest';
import {
  MODEL_KEY_ENV,
  type OpenClawConfigInput,
  OWNER_SCOPES,
  PROXY_PROVIDER_ID,
  renderOpenClawConfig,
} from './openclaw-config.ts';

const base: OpenClawConfigInput = {
  port: 19100,
  bind: 'loopback',
  identityHeader: 'x-clawloops-user',
  ownerUsername: 'alice',
  trustedProxies: ['127.0.0.1'],
  allowLoopbackProxy: true,
  publicOrigin: 'http://u-alice.localhost:8080',
  logFile: '/data/runtimes/r1/openclaw.log',
  terminal: false,
};

const withModel: OpenClawConfigInput = {
  ...base,
  model: {
    baseUrl: 'http://127.0.0.1:18999/v1',
    models: [{ id: 'gpt-x', name: 'GPT X', contextWindow: 128000 }],
    primary: 'gpt-x',
  },
};

const pod: OpenClawConfigInput = {
  ...base,
  bind: 'lan',
  trustedProxies: ['10.42.0.0/16'],
  allowLoopbackProxy: false,
  publicOrigin: 'https://u-alice.example.com',
  logFile: undefined,
  terminal: true,
};

// biome-ignore lint/suspicious/noExplicitAny: walking untyped JSON
type Json = any;

const cases: [string, OpenClawConfigInput][] = [
  ['local, no model', base],
  ['local, with model', withModel],
  ['pod, terminal on', pod],
];

describe('renderOpenClawConfig', () => {
  it.each(cases)('%s: trusted-proxy auth for the owner alone', (_name, input) => {
    const config: Json = renderOpenClawConfig(input);
    const { gateway } = config;
    expect(gateway.mode).toBe('local');
    expect(gateway.bind).toBe(input.bind);
    expect(gateway.port).toBe(input.port);
    expect(gateway.trustedProxies).toEqual(input.trustedProxies);
    expect(gateway.auth.mode).toBe('trusted-proxy');
    expect(gateway.auth.trustedProxy.userHeader).toBe(input.identityHeader);
    expect(gateway.auth.trustedProxy.allowUsers).toEqual([input.ownerUsername]);
    expect(gateway.auth.trustedProxy.allowLoopback).toBe(input.allowLoopbackProxy);
    expect(gateway.auth.trustedProxy.requiredHeaders).toContain('x-forwarded-proto');
    expect(Object.keys(gateway.auth.identityScopes)).toEqual([input.ownerUsername]);
    expect(gateway.auth.identityScopes[input.ownerUsername]).toEqual(OWNER_SCOPES);
    expect(gateway.controlUi.allowedOrigins).toEqual([input.publicOrigin]);
    expect(gateway.terminal.enabled).toBe(input.terminal);
  });

  it.each(cases)('%s: no secrets, wildcards or dangerous switches', (_name, input) => {
    const text = JSON.stringify(renderOpenClawConfig(input));
    expect(text).not.toMatch(/token/i);
    expect(text).not.toMatch(/password/i);
    expect(text).not.toMatch(/dangerously/i);
    expect(text).not.toContain('"*"');
  });

  it.each(cases)(
    '%s: browsers auto-pair for the owner only, never with operator.admin',
    (_name, input) => {
      const { gateway }: Json = renderOpenClawConfig(input);
      const proxy = gateway.auth.trustedProxy;
      expect(proxy.allowUsers).toEqual([input.ownerUsername]);
      expect(proxy.deviceAutoApprove.enabled).toBe(true);
      expect(proxy.deviceAutoApprove.scopes).not.toContain('operator.admin');
    },
  );

  it('points the model provider at the proxy with the key as an env reference', () => {
    const config: Json = renderOpenClawConfig(withModel);
    const provider = config.models.providers[PROXY_PROVIDER_ID];
    expect(provider.baseUrl).toBe('http://127.0.0.1:18999/v1');
    expect(provider.apiKey).toBe(`\${${MODEL_KEY_ENV}}`);
    expect(provider.api).toBe('openai-completions');
    expect(provider.models).toEqual([{ id: 'gpt-x', name: 'GPT X', contextWindow: 128000 }]);
    expect(config.agents.defaults.model.primary).toBe(`${PROXY_PROVIDER_ID}/gpt-x`);
  });

  it('omits models and the primary model when no model access is configured', () => {
    const config: Json = renderOpenClawConfig(base);
    expect(config.models).toBeUndefined();
    expect(config.agents.defaults.model).toBeUndefined();
    expect(config.agents.defaults.heartbeat.every).toBe('0m');
  });

  it('sets a per-instance log file only when given', () => {
    expect((renderOpenClawConfig(base) as Json).logging.file).toBe(base.logFile);
    expect((renderOpenClawConfig(pod) as Json).logging).toBeUndefined();
  });
});
