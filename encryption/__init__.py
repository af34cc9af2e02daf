"""Personal data stays out of Temporal's histories: every payload is encrypted before it leaves
the process (`codec.data_converter`), and only holders of the keys (workers, the Python API, the
codec server for the UI and CLI) can read it."""
