// A real S3-compatible server (s3rver, the maintained @20minutes fork) on a free local port,
// keeping its objects in a temporary folder; tests talk to it with @aws-sdk/client-s3 as the
// app does in production.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from '@20minutes/s3rver';

export interface TestS3 {
  /** The settings that point Picket at this server's bucket. */
  env: Record<string, string>;
  bucket: string;
  endpoint: string;
  /** Where the server keeps the objects (one folder per bucket). */
  directory: string;
  stop(): Promise<void>;
}

export async function startS3(bucket = 'picket-test'): Promise<TestS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
    // s3rver leaves the trailing slash out of the path it signs for bucket-level requests
    // (ListObjectsV2 on `/bucket/`), so it would refuse every listing SDK v3 signs correctly.
    allowMismatchedSignatures: true,
  });
  const { port } = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    bucket,
    endpoint,
    directory,
    env: {
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    },
    async stop() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Which store the media tests run on: jest's "bucket" project sets PICKET_TEST_STORAGE=bucket. */
export function testStorageKind(): 'disk' | 'bucket' {
  return process.env.PICKET_TEST_STORAGE === 'bucket' ? 'bucket' : 'disk';
}
