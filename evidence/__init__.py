"""Evidence and attachments: files kept outside Temporal's histories (docs/evidence.md).

- `files`: what a file is (its bytes sniffed, never its declared type trusted) and the limits;
- `storage`: where the bytes live, by SHA-256 (a folder under the home, or an S3 bucket);
- `store`: the metadata rows in PostgreSQL and the one way in (`Evidence.keep`) every door uses;
- `canned`: the canned replies staff insert into a message.
"""
