"""The class hub's hand-in service: a small JupyterHub service that receives each student's hand-in over HTTP
with the student's own hub token, takes who handed in from the hub (never from the file), keeps it where only
the service and the instructors can read, and lets instructors list and download (``python -m widgets.hubservice``)."""
