"""Scrapy download handlers of the project (``DOWNLOAD_HANDLERS`` in ``crawler/settings.py``)."""
