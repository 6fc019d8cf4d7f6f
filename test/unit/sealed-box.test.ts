import { systemRng } from '../../src/crypto/random.js';
import { open, SEAL_OVERHEAD, seal } from '../../src/crypto/sealed-box.js';

const key = systemRng(32);
const plaintext = Buffer.from('A123\u0000hunter2', 'utf8');

describe('owner-bound secretbox', () => {
  test('opens what it sealed for the same owner', () => {
    const sealed = seal(key, 'cred:7', plaintext, systemRng);
    expect(sealed.length).toBe(SEAL_OVERHEAD + 2 + 'cred:7'.length + plaintext.length);
    expect(Buffer.from(open(key, 'cred:7', sealed)!)).toEqual(plaintext);
  });

  test('a ciphertext moved to another row does not open there', () => {
    const sealed = seal(key, 'cred:7', plaintext, systemRng);
    expect(open(key, 'cred:8', sealed)).toBeNull();
    expect(open(key, 'cred:70', sealed)).toBeNull();
  });

  test('the wrong key or any flipped byte fails', () => {
    const sealed = seal(key, 'cred:7', plaintext, systemRng);
    expect(open(systemRng(32), 'cred:7', sealed)).toBeNull();
    for (let i = 0; i < sealed.length; i++) {
      const copy = Uint8Array.from(sealed);
      copy[i]! ^= 0x01;
      expect(open(key, 'cred:7', copy)).toBeNull();
    }
  });

  test('nonces are fresh, so equal plaintexts give different ciphertexts', () => {
    expect(Buffer.from(seal(key, 'x', plaintext, systemRng))).not.toEqual(
      Buffer.from(seal(key, 'x', plaintext, systemRng)),
    );
  });

  test('short input is rejected, not read past its end', () => {
    expect(open(key, 'x', new Uint8Array(10))).toBeNull();
  });
});
