"""S3 adapters over the MinIO SDK (any S3-compatible store: MinIO, AWS S3, moto in tests)."""

from flagcore.adapters.minio.snapshot_cache import MinioSnapshotCache

__all__ = ("MinioSnapshotCache",)
