"""Downloader middlewares of the project: each module holds one component."""
