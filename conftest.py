import os

# Keep test state (the generated secret key, files written by sinks) apart from a local install's.
os.environ.setdefault("BIZFLOW_VAR_DIR", os.path.join(os.path.dirname(__file__), "var", "test"))
