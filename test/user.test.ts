import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { UsageError } from '../lib/cli';
import { UserLookupError, parseGroup, parseId, parsePasswd, parseUserSpec, readUserDatabase, resolveUser } from '../lib/user';
import { tempDir } from './kit';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'app:x:1500:1500::/home/app:/bin/sh',
  'nohome:x:1501:1501::',
  '',
].join('\n');

const GROUP = [
  'root:x:0:',
  'app:x:1500:',
  'extra:x:1600:app',
  'shared:x:1700:nohome, app ,',
  'other:x:1800:root',
  '',
].join('\n');

const DATABASE = { passwd: parsePasswd(PASSWD), group: parseGroup(GROUP) };

test('parsePasswd reads name, ids and home', () => {
  assert.deepEqual(parsePasswd(PASSWD), [
    { name: 'root', uid: 0, gid: 0, home: '/root' },
    { name: 'app', uid: 1500, gid: 1500, home: '/home/app' },
    { name: 'nohome', uid: 1501, gid: 1501, home: '' },
  ]);
});

test('parsePasswd skips odd lines', () => {
  const text = [
    '# a comment',
    '',
    '   ',
    '+nisuser::::::',
    '-blocked::::::',
    '+',
    'short:x:1',
    'badid:x:abc:1::/:/bin/sh',
    'negative:x:-1:1::/:/bin/sh',
    ':x:5:5::/:/bin/sh',
    'minimal:x:7:8',
    'crlf:x:9:9::/home/crlf:/bin/sh\r',
  ].join('\n');
  assert.deepEqual(parsePasswd(text), [
    { name: 'minimal', uid: 7, gid: 8, home: '' },
    { name: 'crlf', uid: 9, gid: 9, home: '/home/crlf' },
  ]);
});

test('parseGroup reads members and skips odd lines', () => {
  const text = [
    '# comment',
    '+:::',
    '-nisgroup:::',
    'nogid:x::app',
    'short:x',
    'members:x:10:a,b, c ,,d',
    'nomembers:x:11',
    '',
  ].join('\n');
  assert.deepEqual(parseGroup(text), [
    { name: 'members', gid: 10, members: ['a', 'b', 'c', 'd'] },
    { name: 'nomembers', gid: 11, members: [] },
  ]);
});

test('parseId accepts decimal ids up to 4294967294', () => {
  assert.equal(parseId('0'), 0);
  assert.equal(parseId('4294967294'), 4294967294);
  assert.equal(parseId('4294967295'), undefined);
  assert.equal(parseId('-1'), undefined);
  assert.equal(parseId('1e3'), undefined);
  assert.equal(parseId(''), undefined);
});

test('parseUserSpec splits user and group', () => {
  assert.deepEqual(parseUserSpec('app'), { user: 'app', group: undefined });
  assert.deepEqual(parseUserSpec('app:extra'), { user: 'app', group: 'extra' });
  assert.deepEqual(parseUserSpec('1500:1600'), { user: '1500', group: '1600' });
  assert.deepEqual(parseUserSpec('app:'), { user: 'app', group: undefined });
});

test('parseUserSpec rejects an empty user and huge ids', () => {
  for (const text of ['', ':app', '4294967295', 'app:99999999999']) {
    assert.throws(() => parseUserSpec(text), UsageError, text);
  }
  assert.throws(() => parseUserSpec(':app'), { message: 'invalid user ":app": expected USER[:GROUP], a name or a number for each' });
});

test('user name gets its primary and member groups', () => {
  assert.deepEqual(resolveUser(parseUserSpec('app'), DATABASE, 0), { uid: 1500, gid: 1500, groups: [1500, 1600, 1700], home: '/home/app' });
});

test('user with a group gets exactly that group', () => {
  assert.deepEqual(resolveUser(parseUserSpec('app:app'), DATABASE, 0), { uid: 1500, gid: 1500, groups: [1500], home: '/home/app' });
  assert.deepEqual(resolveUser(parseUserSpec('app:extra'), DATABASE, 0), { uid: 1500, gid: 1600, groups: [1600], home: '/home/app' });
  assert.deepEqual(resolveUser(parseUserSpec('app:4242'), DATABASE, 0), { uid: 1500, gid: 4242, groups: [4242], home: '/home/app' });
});

test('numeric uid with an entry behaves like the name', () => {
  assert.deepEqual(resolveUser(parseUserSpec('1500'), DATABASE, 0), resolveUser(parseUserSpec('app'), DATABASE, 0));
});

test('numeric uid without an entry keeps the gid', () => {
  assert.deepEqual(resolveUser(parseUserSpec('4000'), DATABASE, 77), { uid: 4000, gid: 77, groups: [], home: '/' });
  assert.deepEqual(resolveUser(parseUserSpec('4000:extra'), DATABASE, 77), { uid: 4000, gid: 1600, groups: [1600], home: '/' });
});

test('entry without a home gets HOME /', () => {
  assert.deepEqual(resolveUser(parseUserSpec('nohome'), DATABASE, 0), { uid: 1501, gid: 1501, groups: [1501, 1700], home: '/' });
});

test('primary group listed as member is not repeated', () => {
  const database = { passwd: parsePasswd('u:x:10:20::/:/bin/sh'), group: parseGroup('g:x:20:u\nh:x:30:u\nh2:x:30:u') };
  assert.deepEqual(resolveUser(parseUserSpec('u'), database, 0).groups, [20, 30]);
});

test('name match wins over a numeric uid', () => {
  const database = { passwd: parsePasswd('first:x:42:1::/a:/bin/sh\n42:x:7:2::/b:/bin/sh'), group: [] };
  assert.equal(resolveUser(parseUserSpec('42'), database, 0).uid, 7);
});

test('unknown user names the user', () => {
  assert.throws(() => resolveUser(parseUserSpec('bob'), DATABASE, 0), (error: unknown) => {
    assert.ok(error instanceof UserLookupError);
    assert.equal(error.message, 'unknown user "bob": no such name in /etc/passwd (give a listed name or a numeric uid)');
    return true;
  });
});

test('unknown group names the group', () => {
  assert.throws(() => resolveUser(parseUserSpec('app:staff'), DATABASE, 0), {
    name: 'UserLookupError',
    message: 'unknown group "staff": no such name in /etc/group (give a listed name or a numeric gid)',
  });
});

test('readUserDatabase treats missing files as empty', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'passwd'), PASSWD);
  const database = readUserDatabase(path.join(dir, 'passwd'), path.join(dir, 'missing-group'));
  assert.equal(database.passwd.length, 3);
  assert.deepEqual(database.group, []);
  assert.deepEqual(readUserDatabase(path.join(dir, 'none'), path.join(dir, 'none')), { passwd: [], group: [] });
});

test('readUserDatabase reports other read errors', () => {
  const dir = tempDir();
  assert.throws(() => readUserDatabase(dir, dir), {
    name: 'UserLookupError',
    message: `cannot read ${dir}: EISDIR: illegal operation on a directory, read`,
  });
});
