"""A second, independent doorbell client written from docs/FORMAT.md, the .proto files and the test vectors."""
