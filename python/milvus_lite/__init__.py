"""Quiver's drop-in for the `milvus_lite` package.

pymilvus turns ``MilvusClient("./demo.db")`` into
``milvus_lite.server_manager.server_manager_instance.start_and_get_uri(path)`` and connects to
the URI it returns. This package starts (or reuses) a ``quiver serve`` whose data directory is
that path, listening on a unix socket, and stops it when the Python process exits.
"""

__version__ = "0.1.0"
