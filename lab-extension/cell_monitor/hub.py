"""JupyterHub helper: give each single-user server its own student's credential, never the master key.

In ``jupyterhub_config.py`` (the master key lives only in the hub's environment and the collector's;
the whole tested fragment is ``docs/jupyterhub_config.py``, quoted in the README's JupyterHub section)::

    import os
    from cell_monitor.hub import spawner_environment

    c.Spawner.environment.update(spawner_environment(os.environ["CELL_MONITOR_MASTER_KEY"]))
    c.Spawner.environment.update({"CELL_MONITOR_COLLECTOR_URL": os.environ["CELL_MONITOR_COLLECTOR_URL"]})

JupyterHub calls a callable value of ``Spawner.environment`` with the spawner as its only argument
when it starts a server, so each server gets ``CELL_MONITOR_USER`` (the hub user name, normalised as
the collector reads it: trimmed, NFC; a name with invisible, control or bidi characters is refused
with UserIdError) and that user's ``CELL_MONITOR_CREDENTIAL``, issued at that moment: after
``revoke-credential --user NAME`` a restart of that user's server gives it a credential that works,
while the revoked one gets 401. This module does not import jupyterhub.
"""

from __future__ import annotations

from .credentials import check_master_key, normalise_user, student_credential


def spawner_environment(master_key: str) -> dict:
    """``Spawner.environment`` entries for cell-monitor; ValueError when the master key is empty or short."""
    check_master_key(master_key)

    def cell_monitor_user(spawner) -> str:
        return normalise_user(spawner.user.name)

    def cell_monitor_credential(spawner) -> str:
        return student_credential(master_key, spawner.user.name)

    return {"CELL_MONITOR_USER": cell_monitor_user, "CELL_MONITOR_CREDENTIAL": cell_monitor_credential}
