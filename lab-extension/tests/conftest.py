import os
import sys

# The package is tested from the source tree (the wheel build needs the labextension built first).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytest_plugins = ["pytest_jupyter.jupyter_server"]
