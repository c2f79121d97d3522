import { expect, test } from '@jest/globals';
import { ndjson, readNdjson } from '../../../extension/backends/proc/ndjson';

test('messages framed by ndjson() come back from output that has prints between them', () => {
  const text = `hello from a library\n${ndjson({ type: 'done', id: 'a' })}{not json\n\n${ndjson(['x\ny'])}`;
  expect(readNdjson(text)).toEqual([{ type: 'done', id: 'a' }, ['x\ny']]);
});
