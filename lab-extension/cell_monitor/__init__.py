"""cell-monitor for JupyterLab: the prebuilt labextension and its companion server route.

The companion route (``{base_url}cell-monitor``) is the only Python in cell-monitor. It takes event
batches from the labextension in the student's browser, stamps the user (the server's owner, else the
Jupyter-authenticated user) and that student's credential, and forwards the body unchanged to the
collector's ``/api/v1/events``. ``cell_monitor.credentials`` derives per-student credentials from the
collector's master key; ``cell_monitor.hub`` hands them to JupyterHub's spawner.
"""

from .companion import CellMonitor, load_extension

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "@cell-monitor/lab-extension"}]


def _jupyter_server_extension_points():
    return [{"module": "cell_monitor"}]


def _load_jupyter_server_extension(serverapp):
    load_extension(serverapp)


__all__ = ["CellMonitor", "__version__"]
