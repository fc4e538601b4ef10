import {
  credentials,
  makeClientConstructor,
  Metadata,
  type Client,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ServiceDefinition as GrpcServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import * as api from '@tsetcd/api';
import { ClusterDefinition, KVDefinition, MaintenanceDefinition } from '@tsetcd/api';

/** What a ts-proto message namespace offers (generic-definitions output). */
interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromPartial(object: never): T;
}

interface GenericMethod {
  name: string;
  requestType: MessageCodec<unknown>;
  responseType: MessageCodec<unknown>;
  requestStream: boolean;
  responseStream: boolean;
}

interface GenericService {
  name: string;
  fullName: string;
  methods: Record<string, GenericMethod>;
}

type RequestOf<M> = M extends { requestType: { fromPartial(object: infer P): unknown } } ? P : never;
type ResponseOf<M> = M extends { responseType: { decode(input: Uint8Array): infer R } } ? R : never;

/** Unary methods resolve with one decoded response; server-streaming ones with all of them. */
type ServiceFacade<S extends { methods: Record<string, unknown> }> = {
  [K in keyof S['methods']]: S['methods'][K] extends { requestStream: true }
    ? never
    : S['methods'][K] extends { responseStream: true }
      ? (request: RequestOf<S['methods'][K]>, metadata?: Metadata) => Promise<ResponseOf<S['methods'][K]>[]>
      : (request: RequestOf<S['methods'][K]>, metadata?: Metadata) => Promise<ResponseOf<S['methods'][K]>>;
};

/** How a failed call rejects: the gRPC status code and message, exactly as the server sent them. */
export class RawCallError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`gRPC ${code}: ${details}`);
    this.name = 'RawCallError';
  }
}

export interface RawClient {
  readonly endpoint: string;
  kv: ServiceFacade<typeof KVDefinition>;
  maintenance: ServiceFacade<typeof MaintenanceDefinition>;
  cluster: ServiceFacade<typeof ClusterDefinition>;
  /**
   * Any unary or server-streaming method of any service @tsetcd/api defines, by service name
   * ('KV', 'Lease', 'Maintenance', ...) and ts-proto method name ('range', 'leaseGrant', ...).
   * The request is a partial message (ts-proto fromPartial); resolves with the decoded response
   * (an array of them for server streams).
   */
  call(service: string, method: string, request: unknown, metadata?: Metadata): Promise<unknown>;
  /**
   * Opens a bidirectional stream (e.g. 'Watch', 'watch' or 'Lease', 'leaseKeepAlive'). Requests
   * are partial messages; every decoded response is handed to `onResponse`, the stream's end
   * (null) or error (RawCallError) to `onEnd`.
   */
  bidi(service: string, method: string, handlers: BidiHandlers, metadata?: Metadata): BidiStream;
  close(): void;
}

export interface BidiHandlers {
  onResponse(response: unknown): void;
  onEnd?(error: RawCallError | null): void;
}

export interface BidiStream {
  send(request: unknown): void;
  /** Half-closes the sending side. */
  end(): void;
  /** Cancels the call (the server sees the client go away). */
  cancel(): void;
}

export interface RawClientOptions {
  /** Largest response the client accepts; etcd's clients use math.MaxInt32. */
  receiveMessageBytesMax?: number;
  callTimeoutMs?: number;
}

export const RAW_CLIENT_CALL_TIMEOUT_MS = 15_000;

/** Every `*Definition` export of @tsetcd/api that looks like a ts-proto service definition. */
function knownServices(): Map<string, GenericService> {
  const found = new Map<string, GenericService>();
  for (const [exportName, value] of Object.entries(api as Record<string, unknown>)) {
    if (!exportName.endsWith('Definition') || typeof value !== 'object' || value === null) continue;
    const candidate = value as Partial<GenericService>;
    if (typeof candidate.fullName === 'string' && typeof candidate.methods === 'object' && candidate.name) {
      found.set(candidate.name, candidate as GenericService);
    }
  }
  return found;
}

function toGrpcDefinition(service: GenericService): GrpcServiceDefinition {
  const definition: Record<string, unknown> = {};
  for (const [key, method] of Object.entries(service.methods)) {
    definition[key] = {
      path: `/${service.fullName}/${method.name}`,
      requestStream: method.requestStream,
      responseStream: method.responseStream,
      requestSerialize: (message: unknown) => Buffer.from(method.requestType.encode(message).finish()),
      requestDeserialize: (bytes: Buffer) => method.requestType.decode(bytes),
      responseSerialize: (message: unknown) => Buffer.from(method.responseType.encode(message).finish()),
      responseDeserialize: (bytes: Buffer) => method.responseType.decode(bytes),
      originalName: key,
    };
  }
  return definition as GrpcServiceDefinition;
}

type UnaryFn = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: number },
  callback: (err: ServiceError | null, response: unknown) => void,
) => void;
type ServerStreamFn = (request: unknown, metadata: Metadata, options: { deadline: number }) => ClientReadableStream<unknown>;

/**
 * A gRPC client for tsetcd or etcd speaking through @tsetcd/api's codecs: responses come back as
 * the decoded ts-proto objects, untouched; errors reject with RawCallError { code, details }.
 */
export function rawClient(endpoint: string, options: RawClientOptions = {}): RawClient {
  const services = knownServices();
  const clients = new Map<string, Client>();
  const channelOptions = {
    'grpc.max_receive_message_length': options.receiveMessageBytesMax ?? 2 ** 31 - 1,
    'grpc.max_send_message_length': -1,
  };
  const callTimeoutMs = options.callTimeoutMs ?? RAW_CLIENT_CALL_TIMEOUT_MS;

  const clientFor = (serviceName: string): { client: Client; service: GenericService } => {
    const service = services.get(serviceName);
    if (service === undefined) {
      throw new Error(`rawClient: @tsetcd/api exports no ${serviceName}Definition (known: ${[...services.keys()].join(', ')})`);
    }
    let client = clients.get(serviceName);
    if (client === undefined) {
      const Ctor = makeClientConstructor(toGrpcDefinition(service), serviceName);
      client = new Ctor(endpoint, credentials.createInsecure(), channelOptions);
      clients.set(serviceName, client);
    }
    return { client, service };
  };

  const call = (serviceName: string, methodKey: string, request: unknown, metadata = new Metadata()): Promise<unknown> => {
    const { client, service } = clientFor(serviceName);
    const method = service.methods[methodKey];
    if (method === undefined) {
      return Promise.reject(new Error(`rawClient: ${serviceName} has no method ${methodKey}`));
    }
    if (method.requestStream) {
      return Promise.reject(new Error(`rawClient: ${serviceName}.${method.name} is client-streaming; not supported`));
    }
    const message = method.requestType.fromPartial(request as never);
    const deadline = Date.now() + callTimeoutMs;
    const fn = (client as unknown as Record<string, unknown>)[methodKey];
    if (method.responseStream) {
      return new Promise((resolve, reject) => {
        const responses: unknown[] = [];
        const stream = (fn as ServerStreamFn).call(client, message, metadata, { deadline });
        stream.on('data', (response: unknown) => responses.push(response));
        stream.on('error', (err: ServiceError) => reject(new RawCallError(err.code, err.details)));
        stream.on('end', () => resolve(responses));
      });
    }
    return new Promise((resolve, reject) => {
      (fn as UnaryFn).call(client, message, metadata, { deadline }, (err, response) => {
        if (err) reject(new RawCallError(err.code, err.details));
        else resolve(response);
      });
    });
  };

  const bidi = (serviceName: string, methodKey: string, handlers: BidiHandlers, metadata = new Metadata()): BidiStream => {
    const { client, service } = clientFor(serviceName);
    const method = service.methods[methodKey];
    if (method === undefined || !method.requestStream || !method.responseStream) {
      throw new Error(`rawClient: ${serviceName}.${methodKey} is not a bidirectional stream`);
    }
    const fn = (client as unknown as Record<string, unknown>)[methodKey] as (metadata: Metadata) => ClientDuplexStream<unknown, unknown>;
    const stream = fn.call(client, metadata);
    let ended = false;
    const finish = (error: RawCallError | null): void => {
      if (ended) return;
      ended = true;
      handlers.onEnd?.(error);
    };
    stream.on('data', (response: unknown) => handlers.onResponse(response));
    stream.on('error', (err: ServiceError) => finish(new RawCallError(err.code, err.details)));
    stream.on('end', () => finish(null));
    return {
      send: (request) => stream.write(method.requestType.fromPartial(request as never)),
      end: () => stream.end(),
      cancel: () => stream.cancel(),
    };
  };

  const facade = <S extends GenericService>(definition: S): ServiceFacade<S> => {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(definition.methods)) {
      result[key] = (request: unknown, metadata?: Metadata) => call(definition.name, key, request, metadata);
    }
    return result as ServiceFacade<S>;
  };

  return {
    endpoint,
    kv: facade(KVDefinition as unknown as GenericService) as unknown as ServiceFacade<typeof KVDefinition>,
    maintenance: facade(MaintenanceDefinition as unknown as GenericService) as unknown as ServiceFacade<
      typeof MaintenanceDefinition
    >,
    cluster: facade(ClusterDefinition as unknown as GenericService) as unknown as ServiceFacade<typeof ClusterDefinition>,
    call,
    bidi,
    close: () => {
      for (const client of clients.values()) client.close();
      clients.clear();
    },
  };
}
