# cell-monitor under JupyterHub: add these lines to your jupyterhub_config.py.
# Tested as-is by test/lab-extension/hub.e2e.test.ts; the README quotes this file.
#
# The hub's environment (its systemd unit or EnvironmentFile) holds two variables:
#   CELL_MONITOR_MASTER_KEY    the collector's INGEST_KEY; it stays in the hub's process
#   CELL_MONITOR_COLLECTOR_URL where the student servers reach the collector, e.g. http://10.0.0.5:8765
import os

from cell_monitor.hub import spawner_environment

# Each server, when it starts: CELL_MONITOR_USER (its hub user's name) and that user's own
# CELL_MONITOR_CREDENTIAL, issued now from the master key. The master key itself is not passed on.
c.Spawner.environment.update(spawner_environment(os.environ["CELL_MONITOR_MASTER_KEY"]))
c.Spawner.environment.update({"CELL_MONITOR_COLLECTOR_URL": os.environ["CELL_MONITOR_COLLECTOR_URL"]})
# JupyterHub passes on only the variables it is told to (Spawner.env_keep): never add the master key there.
