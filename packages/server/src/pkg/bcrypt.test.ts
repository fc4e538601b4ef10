import { bcryptCompare, bcryptHash } from './bcrypt';
import { blowfishInitialWords, piFractionHex } from './blowfish-state';

describe('blowfish initial state', () => {
  it('is pi: P[0] = 0x243f6a88, P[17] = 0x8979fb1b, the last S3 word = 0x3ac372e6', () => {
    expect(piFractionHex(16)).toBe('243f6a8885a308d3');
    const w = blowfishInitialWords();
    expect(w.length).toBe(18 + 1024);
    expect(w[0]).toBe(0x243f6a88);
    expect(w[17]).toBe(0x8979fb1b);
    expect(w[18]).toBe(0xd1310ba6);
    expect(w[w.length - 1]).toBe(0x3ac372e6);
  });
});

describe('bcrypt', () => {
  it('verifies Go x/crypto/bcrypt test vectors (cost 10)', () => {
    expect(bcryptCompare('$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga', 'allmine')).toBe(true);
    expect(bcryptCompare('$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga', 'allmine!')).toBe(false);
    expect(bcryptCompare('$2a$10$XajjQvNhvvRt5GSeFk1xFe5l47dONXg781AmZtd869sO8zfsHuw7C', '012345678901234567890123456789012345678901234567890123456')).toBe(true);
    expect(bcryptCompare('$2a$10$LK9XRuhNxHHCvjX3tdkRKei1QiCDUKrJRhZv7WWZPuQGRUM92rOUa', 'passw0rd')).toBe(true);
    // Go accepts a hash without the minor version letter.
    expect(bcryptCompare('$2$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga', 'allmine')).toBe(true);
  });

  it('verifies the OpenBSD / openwall vector (cost 5)', () => {
    expect(bcryptCompare('$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'U*U')).toBe(true);
    expect(bcryptCompare('$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'U*V')).toBe(false);
  });

  it('hashes to the same string as Go for a fixed salt, and round-trips a random salt', () => {
    const salt = Buffer.from('XajjQvNhvvRt5GSeFk1xFe'.replace(/./g, (c) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'['./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.indexOf(c)]!), 'base64');
    expect(bcryptHash('allmine', 10, salt)).toBe('$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga');
    const h = bcryptHash('s3cret', 4);
    expect(h).toMatch(/^\$2a\$04\$[./A-Za-z0-9]{53}$/);
    expect(bcryptCompare(h, 's3cret')).toBe(true);
    expect(bcryptCompare(h, 's3cres')).toBe(false);
    expect(bcryptHash('s3cret', 4)).not.toBe(h);
  });

  it('rejects malformed hashes and bad costs', () => {
    expect(bcryptCompare('$2a$10$fooo', 'x')).toBe(false);
    expect(bcryptCompare('plain', 'plain')).toBe(false);
    expect(bcryptCompare('$2a$32$sssssssssssssssssssssshhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh', 'x')).toBe(false);
    expect(() => bcryptHash('x', 3)).toThrow(/cost 3 is outside allowed range/);
  });
});
