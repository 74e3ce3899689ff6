// Jest's "bucket" project: the same media tests, with every file stored in a real S3 server.
process.env.PICKET_TEST_STORAGE = 'bucket';
// The SDK warns once per process that its releases after January 2027 need Node 22; the
// lockfile keeps one that supports Node 20. The README says so; the test output need not.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
