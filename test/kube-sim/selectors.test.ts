import { describe, expect, it } from 'vitest';
import {
  checkFieldSelector,
  matchFields,
  matchLabels,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors.ts';

const labels = { app: 'web', tier: 'front', 'clawloops.io/user': 'u1', n: '5' };

describe('label selectors', () => {
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app=web,tier!=back', true],
    ['app=web,tier!=front', false],
    ['tier in (front,back)', true],
    ['tier in (back)', false],
    ['tier notin (back, side)', true],
    ['missing notin (x)', true],
    ['missing in (x)', false],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['clawloops.io/user=u1', true],
    ['app=web,tier in (front),clawloops.io/user,!gone', true],
    ['n>4', true],
    ['n<4', false],
    ['app=', false],
  ];
  it.each(cases)('%j matches: %s', (selector, expected) => {
    expect(matchLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each(['app=web,', 'a b c', 'app=we b', 'n>x', 'bad key!=1'])('rejects %j', (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(/unable to parse requirement/);
  });

  it('treats missing labels as an empty map', () => {
    expect(matchLabels(parseLabelSelector('!a'), undefined)).toBe(true);
  });
});

describe('field selectors', () => {
  const pod = {
    metadata: { name: 'p', namespace: 'ns' },
    spec: { nodeName: 'n1' },
    status: { phase: 'Running' },
  };
  const cases: [string, boolean][] = [
    ['metadata.name=p', true],
    ['metadata.name==p', true],
    ['metadata.name!=p', false],
    ['metadata.namespace=ns,status.phase=Running', true],
    ['status.phase!=Running', false],
    ['spec.nodeName=', false],
    ['status.podIP=', true],
  ];
  it.each(cases)('%j matches: %s', (selector, expected) => {
    expect(matchFields(parseFieldSelector(selector), pod)).toBe(expected);
  });

  it('rejects fields the kind does not index', () => {
    expect(() => checkFieldSelector('ConfigMap', parseFieldSelector('status.phase=x'))).toThrow(
      'field label not supported: status.phase',
    );
    expect(() => checkFieldSelector('Pod', parseFieldSelector('status.phase=x'))).not.toThrow();
  });
});
