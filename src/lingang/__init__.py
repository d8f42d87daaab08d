"""Lingang Platform: the integrated information management and service platform.

临港新片区一体化信息管理服务平台.
"""

__version__ = "0.1.0"
