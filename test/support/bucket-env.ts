// Jest's "bucket" project: the same media tests, with every file stored in a real S3 server.
process.env.PICKET_TEST_STORAGE = 'bucket';
