import {
  deriveServiceNames,
  escapeServiceName,
  serviceNameFromZkNode,
  validateCleanupPrincipal,
  validateCleanupRole,
  validateCleanupZnode,
} from '../src/domain/naming';
import { UsageError } from '../src/errors';

/** docs/reference/naming.md §1-§3, worked examples included. */

describe('escapeServiceName (withEscapedSlashes)', () => {
  it.each([
    ['/path/to/service', 'path__to__service'],
    ['path/to/svc', 'path__to__svc'],
    ['kafka', 'kafka'],
    ['/kafka', 'kafka'],
  ])('%s -> %s', (name, escaped) => {
    expect(escapeServiceName(name)).toBe(escaped);
  });

  it('rejects double underscores', () => {
    expect(() => escapeServiceName('my__svc')).toThrow(UsageError);
  });
});

describe('deriveServiceNames: the worked examples', () => {
  it.each([
    [
      'kafka',
      'kafka-role',
      ['kafka-principal', '/kafka-principal'],
      'dcos-service-kafka',
      '/service/kafka',
      ['kafka', '/kafka'],
    ],
    [
      '/kafka',
      'kafka-role',
      ['/kafka-principal', 'kafka-principal'],
      'dcos-service-kafka',
      '/service/kafka',
      ['/kafka', 'kafka'],
    ],
    [
      '/data/kafka',
      'data__kafka-role',
      ['/data/kafka-principal', 'data/kafka-principal'],
      'dcos-service-data__kafka',
      '/service/data/kafka',
      ['/data/kafka', 'data/kafka'],
    ],
    [
      '/test/integration/cassandra',
      'test__integration__cassandra-role',
      ['/test/integration/cassandra-principal', 'test/integration/cassandra-principal'],
      'dcos-service-test__integration__cassandra',
      '/service/test/integration/cassandra',
      ['/test/integration/cassandra', 'test/integration/cassandra'],
    ],
    [
      '/quota/hello-world',
      'quota__hello-world-role',
      ['/quota/hello-world-principal', 'quota/hello-world-principal'],
      'dcos-service-quota__hello-world',
      '/service/quota/hello-world',
      ['/quota/hello-world', 'quota/hello-world'],
    ],
  ])('%s', (name, role, principals, zkNode, url, frameworkNames) => {
    const names = deriveServiceNames(name);
    expect(names.role).toBe(role);
    expect(names.principals).toEqual(principals);
    expect(names.zkNode).toBe(zkNode);
    expect(names.serviceUrlPath).toBe(url);
    expect(names.frameworkNames).toEqual(frameworkNames);
    expect(names.marathonAppId).toBe(`/${name.replace(/^\//, '')}`);
  });

  it('URL-encodes each folder of the service URL', () => {
    expect(deriveServiceNames('/team a/kafka').serviceUrlPath).toBe('/service/team%20a/kafka');
  });

  it.each(['', '/', 'a//b', '/a/../b', 'x__y'])('rejects %j', (name) => {
    expect(() => deriveServiceNames(name)).toThrow(UsageError);
  });
});

describe('serviceNameFromZkNode', () => {
  it('reverses the SDK node name', () => {
    expect(serviceNameFromZkNode('dcos-service-data__kafka')).toBe('/data/kafka');
    expect(serviceNameFromZkNode('/dcos-service-kafka')).toBe('/kafka');
    expect(serviceNameFromZkNode('cassandra')).toBeUndefined();
  });
});

describe('guards', () => {
  it.each(['', '  ', '*', 'slave_public', '/a', 'a/', 'a//b', 'a/./b', 'a/../b', '-a', 'a/-b', 'has space', 'a/*'])(
    'refuses role %j',
    (role) => {
      expect(() => validateCleanupRole(role)).toThrow(UsageError);
    },
  );

  it.each(['kafka-role', 'data__kafka-role', 'quota', 'slave_public/kafka-role', 'eng/backend'])(
    'accepts role %j',
    (role) => {
      expect(validateCleanupRole(role)).toBe(role);
    },
  );

  it('refuses an empty principal', () => {
    expect(() => validateCleanupPrincipal(' ')).toThrow(UsageError);
  });

  it.each([
    '',
    '/',
    '///',
    'zookeeper',
    '/zookeeper/quota',
    'mesos',
    '/marathon',
    'marathon/state',
    'dcos',
    'cosmos',
    'metronome',
    'a/../b',
  ])('refuses znode %j', (node) => {
    expect(() => validateCleanupZnode(node)).toThrow(UsageError);
  });

  it('normalises a service znode', () => {
    expect(validateCleanupZnode('/dcos-service-kafka/')).toBe('dcos-service-kafka');
    expect(validateCleanupZnode('cassandra')).toBe('cassandra');
  });
});
