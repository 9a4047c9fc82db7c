"""Tests of the deployments: the one-machine class hub, Zero to JupyterHub, their load benchmark."""
