/**
 * Loads `proto/crucible.proto` at run time (it ships in the package's `proto/` folder) into a gRPC
 * service definition and client constructor. Options keep the proto's snake_case names, hand
 * 64-bit integers over as strings (checked into safe integers by the decoders) and fill defaults.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Where the protocol file lives: `<package root>/proto/crucible.proto`, found from this module upwards. */
export function protoPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'proto', 'crucible.proto');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`Cannot find proto/crucible.proto above ${fileURLToPath(import.meta.url)}; is the package's proto/ folder installed?`);
}

export interface CrucibleService {
  definition: grpc.ServiceDefinition;
  Client: grpc.ServiceClientConstructor;
}

let cached: CrucibleService | undefined;

/** The `crucible.v1.Coordinator` service (loaded once per process). */
export function crucibleService(): CrucibleService {
  if (cached !== undefined) return cached;
  const packageDefinition = protoLoader.loadSync(protoPath(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as {
    crucible: { v1: { Coordinator: grpc.ServiceClientConstructor } };
  };
  const Client = loaded.crucible.v1.Coordinator;
  cached = { definition: Client.service, Client };
  return cached;
}

/** Metadata key of the trailer naming a rejected call's code from src/errors.ts. */
export const errorCodeTrailer = 'crucible-error-code';
