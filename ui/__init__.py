"""The Qt layer: windows, pages, dialogs, item models. Calls app/, never writes SQL."""
