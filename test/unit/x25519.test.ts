import { nacl } from '../../src/crypto/nacl.js';
import { boxBefore } from '../../src/crypto/x25519.js';

test('boxBefore is nacl.box.before, byte for byte, with and without kept keys', () => {
  for (let i = 0; i < 100; i++) {
    const a = nacl.box.keyPair();
    const b = nacl.box.keyPair();
    const expected = Buffer.from(nacl.box.before(b.publicKey, a.secretKey));
    expect(Buffer.from(boxBefore(b.publicKey, a.secretKey)!)).toEqual(expected);
    expect(Buffer.from(boxBefore(b.publicKey, a.secretKey, true)!)).toEqual(expected);
    expect(Buffer.from(boxBefore(a.publicKey, b.secretKey, true)!)).toEqual(expected);
  }
});

test('a secret key array refilled with another key is not answered from the kept key object', () => {
  const peer = nacl.box.keyPair();
  const mine = nacl.box.keyPair();
  const array = new Uint8Array(mine.secretKey);
  boxBefore(peer.publicKey, array);
  const other = nacl.box.keyPair();
  array.set(other.secretKey);
  expect(Buffer.from(boxBefore(peer.publicKey, array)!)).toEqual(
    Buffer.from(nacl.box.before(peer.publicKey, other.secretKey)),
  );
});

test('a public key of low order gives null, not a key anyone could compute', () => {
  const mine = nacl.box.keyPair();
  expect(boxBefore(new Uint8Array(32), mine.secretKey)).toBeNull();
  const one = new Uint8Array(32);
  one[0] = 1;
  expect(boxBefore(one, mine.secretKey)).toBeNull();
});
