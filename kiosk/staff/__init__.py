"""Staff and operations: live guide reloading, the question log, reports, lint, health.

Nothing here imports Kivy or audio libraries; the app calls these components, and the ``kiosk``
command exposes them to staff (``report``, ``regression``, ``new``, ``lint``, ``health``).
"""
