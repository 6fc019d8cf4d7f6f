// Issue 13, item 2: a store location is parsed once into a typed value whose display form
// never holds a password.

import { SsoError } from '../../src/errors.js';
import type { PostgresLocation } from '../../src/store/location.js';
import { parseStoreLocation, withSslMode } from '../../src/store/location.js';

const refusal = (text: string): SsoError => {
  try {
    parseStoreLocation(text);
  } catch (error) {
    if (error instanceof SsoError) return error;
    throw error;
  }
  throw new Error(`${text} was accepted`);
};

test('a path is a SQLite store, made absolute from the working folder', () => {
  expect(parseStoreLocation('stores/sso.sqlite', '/srv')).toEqual({
    kind: 'sqlite',
    path: '/srv/stores/sso.sqlite',
    display: '/srv/stores/sso.sqlite',
  });
  expect(parseStoreLocation('/a/../b/s.db').display).toBe('/b/s.db');
});

test('a postgres URL with libpq parameters, in one canonical display form', () => {
  const location = parseStoreLocation(
    'postgresql://sso@db1.example.com/ssodb?sslrootcert=/etc/ca.pem&sslmode=verify-full',
  );
  expect(location).toEqual({
    kind: 'postgres',
    host: 'db1.example.com',
    port: 5432,
    database: 'ssodb',
    user: 'sso',
    params: { sslmode: 'verify-full', sslrootcert: '/etc/ca.pem' },
    display: 'postgres://sso@db1.example.com:5432/ssodb?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem',
  });
  // The display form parses back to the same location.
  expect(parseStoreLocation(location.display)).toEqual(location);
  expect(parseStoreLocation('postgres://[::1]:6432/s').display).toBe('postgres://[::1]:6432/s');
});

test('a password in the URL is refused, and the message does not repeat it', () => {
  const error = refusal('postgres://sso:hunter22@db1/ssodb');
  expect(error.code).toBe('USAGE');
  expect(error.message).not.toContain('hunter22');
  expect(error.hint).toContain('PGPASSWORD');
  expect(error.hint).toContain('--db-password-file FILE');
  expect(refusal('postgres://db1/ssodb?password=hunter22').message).not.toContain('hunter22');
});

test('no database, an unknown parameter or a bad sslmode are refused with a reason', () => {
  expect(refusal('postgres://db1').message).toMatch(/names no database/);
  expect(refusal('postgres://db1/s?sslmod=require').message).toMatch(/does not know: sslmod/);
  expect(refusal('postgres://db1/s?sslmode=always').message).toMatch(/^sslmode is one of/);
});

test('the sslmode can be changed (ssoconfig -setSSL), the rest kept', () => {
  const location = parseStoreLocation('postgres://sso@db1/ssodb') as PostgresLocation;
  expect(withSslMode(location, 'require').display).toBe('postgres://sso@db1:5432/ssodb?sslmode=require');
});
