"""S3 adapters over the MinIO SDK (any S3-compatible store: MinIO, AWS S3, moto in tests)."""

from flagcore.adapters.minio.snapshot_store import MinioSnapshotStore

__all__ = ("MinioSnapshotStore",)
