"""Reading a fetched page into an item: the reading itself (``page.py``), the worker processes that
run it off the event loop (``pool.py``, ``worker.py``), and readings of archived records
(``archived.py``)."""
