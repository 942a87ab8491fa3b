// The S3-compatible test server now lives in lib/ (the rehearsal starts it at run time).
export { startS3Server, type S3Server } from '../../lib/rehearsal/s3-server.js';
