// A Duplex standing between an accepted h2c socket and node:http2: reads go through the
// AuthorityFrameFilter, writes go straight to the socket. Node's http2 runs such a stream through
// its JS stream adapter, which finishes each write only after the stream's write callback, so
// the callback fires as soon as the socket took the bytes (or on 'drain' when it pushes back).

import { Duplex } from 'node:stream';
import type net from 'node:net';
import { AuthorityFrameFilter } from './frame-filter';

export function filterH2cSocket(socket: net.Socket, filter: AuthorityFrameFilter = new AuthorityFrameFilter()): Duplex {
  const afterWrite = (ok: boolean, callback: (err?: Error | null) => void): void => {
    if (ok) callback();
    else socket.once('drain', () => callback());
  };
  const duplex = new Duplex({
    read(): void {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback): void {
      afterWrite(socket.write(chunk), callback);
    },
    writev(chunks, callback): void {
      socket.cork();
      let ok = true;
      for (const { chunk } of chunks) ok = socket.write(chunk as Buffer);
      socket.uncork();
      afterWrite(ok, callback);
    },
    final(callback): void {
      socket.end(() => callback());
    },
    destroy(err, callback): void {
      socket.destroy();
      callback(err);
    },
  });
  const forward = (bytes: Buffer): void => {
    if (!duplex.push(bytes)) socket.pause();
  };
  socket.on('data', (chunk: Buffer) => filter.push(chunk, forward));
  socket.once('end', () => duplex.push(null));
  socket.once('close', () => duplex.destroy());
  return duplex;
}
