// Remote backends (one interface, a file and an S3 implementation) and the lake's layout.
export { REMOTE_FAILURES, RemoteAccessError, checkKey, type RemoteBackend, type RemoteObject, type RemoteFailure } from './remote-backend.ts';
export { createRemoteBackend, type BackendOptions } from './create-remote-backend.ts';
export { fileRemoteRoot, type FileRemoteConfig } from './file/file-remote-config.ts';
export { parseS3Uri, type S3RemoteConfig } from './s3/s3-remote-config.ts';
export { RemoteUriError, parseRemoteUri, type ParsedRemoteUri, type UriContext } from './remote-uri.ts';
export { LAKE_META, lakeKey, lakeTableFiles, lakeTableGlob, parseLakeKey, type LakeBatch } from './lake-layout.ts';
export { HEADS_PREFIX, LAKE_FORMAT_KEY, LAKE_FORMAT_VERSION, headKey, parseHeadKey, segmentKey } from './lake-layout.ts';
export { lakeFormatDoc, parseSegment, readLakeFormat, readLakeJson, writeLakeJson, type ClientHead, type LakeFormat, type LogSegment, type SegmentBatch } from './lake-index.ts';
