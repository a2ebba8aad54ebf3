// Remote backends (one interface, a file and an S3 implementation) and the lake's layout.
export { REMOTE_FAILURES, RemoteAccessError, checkKey, type GetOptions, type RemoteBackend, type RemoteObject, type RemoteFailure } from './remote-backend.ts';
export { createRemoteBackend, type BackendOptions } from './create-remote-backend.ts';
export { fileRemoteRoot, type FileRemoteConfig } from './file/file-remote-config.ts';
export { parseS3Uri, s3Location, type S3RemoteConfig } from './s3/s3-remote-config.ts';
export { RemoteUriError, parseRemoteUri, type ParsedRemoteUri, type UriContext } from './remote-uri.ts';
export { LAKE_META, isLakeDate, lakeKey, lakeTableFiles, lakeTableGlob, lakeTableIsPlain, parseLakeKey, type LakeBatch } from './lake-layout.ts';
export { HEADS_PREFIX, LAKE_FORMAT_KEY, LAKE_FORMAT_VERSION, headKey, parseHeadKey, segmentKey } from './lake-layout.ts';
export { BLOBS_PREFIX, blobKey, parseBlobKey, seriesBlobPrefix } from './lake-layout.ts';
export {
  LakeIndexDamage,
  MAX_INDEX_OBJECT_BYTES,
  headDoc,
  lakeFormatDoc,
  parseHead,
  parseSegment,
  readLakeFormat,
  readLakeJson,
  segmentDoc,
  writeLakeJson,
  type ClientHead,
  type LakeFormat,
  type LogSegment,
  type ReadSegment,
  type SegmentBatch,
} from './lake-index.ts';
