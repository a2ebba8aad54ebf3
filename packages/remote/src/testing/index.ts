// Test support: a real S3-compatible server (s3rver) and a loop over both backends.
export * from './s3-server.ts';
export * from './backends.ts';
