"""Workflow code: the complaint lifecycle (`complaint.py`) and the pure rules it runs on."""
