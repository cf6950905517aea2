// The part of the AWS SDK the s3 driver uses, in one module so builds can put the SDK in a
// bundle of its own (dist/s3-sdk.cjs) that is loaded only when storage.s3 is configured. Only
// the SDK goes there: the driver's own code stays in the main bundle, so its storage errors are
// the same classes the stores above test with instanceof.
export {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand,
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand,
  ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException, UploadPartCommand, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
export type { CompletedPart, ListObjectsV2CommandOutput, ObjectCannedACL, ServerSideEncryption, StorageClass } from '@aws-sdk/client-s3';
