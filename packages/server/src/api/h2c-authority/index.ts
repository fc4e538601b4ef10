// Lets grpc-go clients that put a whole URL in :authority (etcdctl's passthrough dialing of
// `--endpoints http://host:port`) through Node's http2, which refuses `/` there: h2c-handoff.ts
// picks per connection between the native socket and the rewriting filter (frame-filter.ts).

export { AuthorityFrameFilter, DEFAULT_MAX_FRAME_SIZE, HTTP2_CLIENT_PREFACE, type AuthorityFrameFilterOptions } from './frame-filter';
export { filterH2cSocket } from './filtered-socket';
export { handOffH2c, HandoffPeek, settingsFrame, HANDOFF_HOLD_LIMIT_BYTES, HANDOFF_HOLD_LIMIT_MS, HANDOFF_HOLD_MAX_MS, type H2cHandoffOptions, type HandoffPath } from './h2c-handoff';
export { rewriteAuthorityValue, AUTHORITY_REWRITE_BYTES, AUTHORITY_REPLACEMENT_BYTE } from './authority-bytes';
export { rewriteAuthorityInBlock, encodeRawString } from './hpack-block';
export { decodeHuffman, encodeHuffman } from './huffman';
