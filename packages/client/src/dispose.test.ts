import { Client } from './client';

test('`await using` closes the client at the end of the scope', async () => {
  let escaped: Client | undefined;
  {
    await using client = new Client({ endpoints: ['127.0.0.1:1'] });
    escaped = client;
    expect(client.closed).toBe(false);
  }
  expect(escaped.closed).toBe(true);
});
