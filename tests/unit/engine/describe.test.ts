// describeThrown is total: whatever user code throws, describing it neither throws nor runs user traps.
import { describe, expect, test } from '@jest/globals';
import * as vm from 'node:vm';
import { describeThrown, safeString, thrownMessage } from '../../../extension/engine/describe';

const hostile = (): Record<string, unknown> => {
  const throwingName = new Error('x');
  Object.defineProperty(throwingName, 'name', { get() { throw 1; } });
  const throwingMessage = new Error('x');
  Object.defineProperty(throwingMessage, 'message', { get() { throw new Proxy({}, { get() { throw 2; } }); } });
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  return {
    nullProto: Object.create(null),
    throwingToString: { toString() { throw 1; } },
    throwingToPrimitive: { [Symbol.toPrimitive]() { throw 1; } },
    throwingInspect: { [Symbol.for('nodejs.util.inspect.custom')]() { throw 1; } },
    throwingName,
    throwingMessage,
    proxy: new Proxy({}, { get() { throw 1; }, getPrototypeOf() { throw 1; }, ownKeys() { throw 1; } }),
    proxyOfError: new Proxy(new Error('p'), { get() { throw 1; }, getPrototypeOf() { throw 1; } }),
    revoked: revocable.proxy,
    symbol: Symbol('s'),
    nul: null,
    undef: undefined,
    vmNullProto: vm.runInNewContext('Object.create(null)'),
  };
};

describe('describeThrown', () => {
  test.each(Object.entries(hostile()))('%s: describing never throws and gives strings', (_, value) => {
    const d = describeThrown(value);
    expect(typeof d.name).toBe('string');
    expect(typeof d.message).toBe('string');
    expect(typeof safeString(value)).toBe('string');
    expect(typeof thrownMessage(value)).toBe('string');
  });

  test('an Error keeps its name, message and stack; a vm-realm Error counts as an Error', () => {
    const e = describeThrown(new TypeError('bad'));
    expect(e).toMatchObject({ isError: true, name: 'TypeError', message: 'bad' });
    expect(e.stack).toContain('TypeError: bad');
    expect(describeThrown(vm.runInNewContext('new RangeError("r")'))).toMatchObject({ isError: true, name: 'RangeError' });
  });

  test('non-Errors are named by kind and shown as inspect shows them', () => {
    expect(describeThrown(null)).toMatchObject({ isError: false, name: 'null', message: 'null' });
    expect(describeThrown('x')).toMatchObject({ name: 'string', message: 'x' });
    expect(describeThrown({ code: 1 })).toMatchObject({ name: 'Object', message: '{ code: 1 }' });
    expect(describeThrown(new Proxy({ a: 1 }, {})).name).toBe('Proxy');
    expect(describeThrown(hostile().revoked).message).toContain('Revoked Proxy');
  });

  test('a throwing name getter falls back to the class; a huge string is clipped', () => {
    expect(describeThrown(hostile().throwingName)).toMatchObject({ name: 'Error', message: 'x' });
    expect(safeString('y'.repeat(1e6)).length).toBeLessThan(20_000);
  });
});
