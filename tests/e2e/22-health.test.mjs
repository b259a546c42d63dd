// The standard gRPC health service answers on the Milvus port, as Milvus registers it.
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import grpc from '@grpc/grpc-js';
import loader from '@grpc/proto-loader';
import { useServer } from './lib/helpers.mjs';

const ctx = useServer({ before, after });

it('grpc.health.v1.Health/Check reports SERVING', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'health-'));
  const file = path.join(dir, 'health.proto');
  fs.writeFileSync(file, `syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse { enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; } ServingStatus status = 1; }
service Health { rpc Check(HealthCheckRequest) returns (HealthCheckResponse); }`);
  const pkg = grpc.loadPackageDefinition(loader.loadSync(file, { enums: String }));
  fs.rmSync(dir, { recursive: true, force: true });
  const client = new pkg.grpc.health.v1.Health(ctx.server.address, grpc.credentials.createInsecure());
  const res = await new Promise((resolve, reject) =>
    client.Check({ service: '' }, { deadline: Date.now() + 5000 }, (err, r) => (err ? reject(err) : resolve(r))));
  client.close();
  assert.equal(res.status, 'SERVING');
});
