import { goJsonSyntaxError } from './cluster-health';

// Expected texts: Go 1.x encoding/json.Unmarshal on the same bodies.
test.each([
  ['404 page not found\n', "invalid character 'p' after top-level value"],
  ['', 'unexpected end of JSON input'],
  ['<html>', "invalid character '<' looking for beginning of value"],
  ['{"a":', 'unexpected end of JSON input'],
  ['Internal error', "invalid character 'I' looking for beginning of value"],
])('Go json syntax error for %j', (body, expected) => {
  expect(goJsonSyntaxError(body)).toBe(expected);
});
