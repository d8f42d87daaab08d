"""The web console: NiceGUI pages mounted under ``/console`` on the API's FastAPI app.

``app.mount_console`` is the only entry point; see ``docs/console.md`` for the tour.
"""
